import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { accessClaims, accessTeam } from "./access-team";
import { call, errorCode } from "./helpers";
import { mint } from "./key-set";

afterEach(() => {
	vi.restoreAllMocks();
});

describe("GET /admin/session, which the console asks before it prompts for a token", () => {
	it("names the person Cloudflare Access signed on, from the browser's cookie alone", async () => {
		const { team, key, bindings } = await accessTeam();
		const token = await mint(key, accessClaims(team));
		const res = await call("GET", "/admin/session", {
			bindings,
			headers: { cookie: `CF_Authorization=${token}` },
		});
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ name: "ada@shop.test", via: "access" });
	});

	it("answers 401 without a token when Access is off, so the console prompts for one", async () => {
		const res = await call("GET", "/admin/session");
		expect(res.status).toBe(401);
		expect(await errorCode(res)).toBe("unauthenticated");
	});

	it("answers 401 to an Access cookie when Access is not configured", async () => {
		const { team, key, certs } = await accessTeam();
		const token = await mint(key, accessClaims(team));
		const res = await call("GET", "/admin/session", { headers: { cookie: `CF_Authorization=${token}` } });
		expect(res.status).toBe(401);
		expect(certs.fetches).toBe(0);
	});

	it("names the admin token for the bearer, with or without Access", async () => {
		const { bindings } = await accessTeam();
		for (const options of [{}, { bindings }]) {
			const res = await call("GET", "/admin/session", { ...options, token: env.ADMIN_TOKEN });
			expect(res.status).toBe(200);
			expect(await res.json()).toEqual({ name: "admin-token", via: "token" });
		}
	});
});
