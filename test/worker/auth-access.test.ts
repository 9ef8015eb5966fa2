import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { accessClaims, accessTeam } from "./access-team";
import { call, errorCode, saleInput, uniqueSaleId } from "./helpers";
import { mint, nowSeconds, signingKey } from "./key-set";

afterEach(() => {
	vi.restoreAllMocks();
});

function listSales(bindings: Env, headers: Record<string, string>): Promise<Response> {
	return call("GET", "/admin/sales", { bindings, headers });
}

/** The `admin_change` lines the Worker logged. */
function adminChanges(log: MockInstance<typeof console.log>): Record<string, unknown>[] {
	return log.mock.calls
		.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>)
		.filter((entry) => entry.event === "admin_change");
}

describe("admin sign-on with Cloudflare Access", () => {
	it("lets an admin in with a valid Access token in the header or the CF_Authorization cookie", async () => {
		const { team, key, bindings } = await accessTeam();
		const token = await mint(key, accessClaims(team));
		const byHeader = await listSales(bindings, { "cf-access-jwt-assertion": token });
		expect(byHeader.status).toBe(200);
		expect(await byHeader.json()).toMatchObject({ sales: expect.any(Array) });
		const byCookie = await listSales(bindings, { cookie: `CF_Authorization=${token}` });
		expect(byCookie.status).toBe(200);
	});

	it("answers 401 to Access tokens for another application or team, expired, or forged", async () => {
		const { team, key, bindings } = await accessTeam();
		const forger = await signingKey("RS256", key.kid);
		const tokens = [
			await mint(key, accessClaims(team, { aud: ["another-application"] })),
			await mint(key, accessClaims(team, { iss: "https://other-team.cloudflareaccess.com" })),
			await mint(key, accessClaims(team, { exp: nowSeconds() - 1 })),
			await mint(forger, accessClaims(team)),
			await mint(key, accessClaims(team, { email: "", sub: "" })),
		];
		for (const token of tokens) {
			const response = await listSales(bindings, { "cf-access-jwt-assertion": token });
			expect(response.status).toBe(401);
			expect(await errorCode(response)).toBe("unauthenticated");
		}
	});

	it("ignores Access tokens when Access is not configured", async () => {
		const { team, key, certs } = await accessTeam();
		const response = await listSales(env, { "cf-access-jwt-assertion": await mint(key, accessClaims(team)) });
		expect(response.status).toBe(401);
		expect(certs.fetches).toBe(0);
	});

	it("keeps the bearer ADMIN_TOKEN for scripts and the metrics scrape, with no certs fetched", async () => {
		const { certs, bindings } = await accessTeam();
		const headers = { authorization: `Bearer ${env.ADMIN_TOKEN}` };
		expect((await listSales(bindings, headers)).status).toBe(200);
		expect((await call("GET", "/admin/metrics", { bindings, headers })).status).toBe(200);
		expect((await listSales(bindings, { authorization: "Bearer wrong" })).status).toBe(401);
		expect(certs.fetches).toBe(0);
	});

	it("answers 503 session_keys_unavailable when the team's certs cannot be fetched", async () => {
		const { team, key, certs, bindings } = await accessTeam();
		certs.outage = () => Promise.resolve(new Response("down", { status: 500 }));
		const response = await listSales(bindings, {
			"cf-access-jwt-assertion": await mint(key, accessClaims(team)),
		});
		expect(response.status).toBe(503);
		expect(await errorCode(response)).toBe("session_keys_unavailable");
		expect(response.headers.get("retry-after")).toMatch(/^\d+$/);
	});

	it("logs every change as one JSON line naming the admin who made it", async () => {
		const { team, key, bindings } = await accessTeam();
		const log = vi.spyOn(console, "log");
		const saleId = uniqueSaleId("audited");
		const startsAt = Date.now() + 60_000;
		const input = saleInput({ startsAt, endsAt: startsAt + 60_000 });
		const byPerson = await call("PUT", `/admin/sales/${saleId}`, {
			bindings,
			body: input,
			headers: { "cf-access-jwt-assertion": await mint(key, accessClaims(team)) },
		});
		expect(byPerson.status).toBe(201);
		const byScript = await call("POST", `/admin/sales/${saleId}/reconcile`, {
			bindings,
			token: env.ADMIN_TOKEN,
		});
		expect(byScript.status).toBe(200);
		const service = await mint(
			key,
			accessClaims(team, { email: undefined, sub: "", common_name: "ci.access" }),
		);
		const refused = await call("PUT", `/admin/sales/${saleId}`, {
			bindings,
			body: { ...input, totalStock: -1 },
			headers: { "cf-access-jwt-assertion": service },
		});
		expect(refused.status).toBe(400);
		expect((await listSales(bindings, { authorization: `Bearer ${env.ADMIN_TOKEN}` })).status).toBe(200);

		expect(adminChanges(log)).toEqual([
			{
				event: "admin_change",
				admin: "ada@shop.test",
				via: "access",
				method: "PUT",
				path: `/admin/sales/${saleId}`,
				status: 201,
			},
			{
				event: "admin_change",
				admin: "admin-token",
				via: "token",
				method: "POST",
				path: `/admin/sales/${saleId}/reconcile`,
				status: 200,
			},
			{
				event: "admin_change",
				admin: "ci.access",
				via: "access",
				method: "PUT",
				path: `/admin/sales/${saleId}`,
				status: 400,
			},
		]);
	});
});
