import { env } from "cloudflare:workers";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { issuePurchaseToken } from "../../src/auth/purchase-token";
import { Buyer, call, createSale, errorCode, saleStats, sessionToken } from "./helpers";

async function expectError(response: Promise<Response>, status: number, code: string): Promise<void> {
	const answer = await response;
	expect(answer.status).toBe(status);
	expect(await errorCode(answer)).toBe(code);
}

describe("purchase tokens", () => {
	it("refuses forged, expired, other sales' and other buyers' tokens with 403 invalid_token", async () => {
		const sale = await createSale("tokens");
		const other = await createSale("tokens-other");
		const alice = await Buyer.named("alice");
		const bob = await Buyer.named("bob");
		const alicesToken = await alice.purchaseToken(sale.id);
		const [payload, signature] = alicesToken.split(".");
		const forged = `${payload}.${signature?.startsWith("A") ? "B" : "A"}${signature?.slice(1)}`;
		const expired = await issuePurchaseToken(env.SESSION_SECRET, sale.id, "alice", Date.now() - 1);
		const signedElsewhere = await issuePurchaseToken("another-secret", sale.id, "alice", Date.now() + 60_000);
		const otherSalesToken = await alice.purchaseToken(other.id);

		await expectError(alice.purchase(sale.id, forged), 403, "invalid_token");
		await expectError(alice.purchase(sale.id, expired), 403, "invalid_token");
		await expectError(alice.purchase(sale.id, signedElsewhere), 403, "invalid_token");
		await expectError(alice.purchase(sale.id, otherSalesToken), 403, "invalid_token");
		await expectError(bob.purchase(sale.id, alicesToken), 403, "invalid_token");
		await expectError(alice.purchase(sale.id, "not-a-token"), 403, "invalid_token");
		expect((await saleStats(sale.id)).sold).toBe(0);

		expect((await alice.purchase(sale.id, alicesToken)).status).toBe(201);
	});

	it("cannot be obtained before the start: 425 not_started with startsAt", async () => {
		const startsAt = Date.now() + 60_000;
		const sale = await createSale("early", { startsAt, endsAt: startsAt + 60_000 });
		const response = await (await Buyer.named("early-bird")).requestToken(sale.id);
		expect(response.status).toBe(425);
		expect(await response.json()).toEqual({
			error: { code: "not_started", message: expect.any(String), startsAt },
		});
	});

	it("cannot be obtained after the end (410 ended) or once sold out (409 sold_out)", async () => {
		const now = Date.now();
		const ended = await createSale("over", { startsAt: now - 60_000, endsAt: now - 1 });
		await expectError((await Buyer.named("late")).requestToken(ended.id), 410, "ended");

		const sale = await createSale("gone", { totalStock: 1 });
		expect((await (await Buyer.named("lucky")).buy(sale.id)).status).toBe(201);
		await expectError((await Buyer.named("unlucky")).requestToken(sale.id), 409, "sold_out");
	});

	it("answers 404 sale_not_found for a sale that does not exist", async () => {
		await expectError((await Buyer.named("lost")).requestToken("no-such-sale"), 404, "sale_not_found");
	});

	it("does not buy before the start or after the end even with a valid token", async () => {
		const now = Date.now();
		const upcoming = await createSale("not-yet", { startsAt: now + 60_000, endsAt: now + 120_000 });
		const ended = await createSale("too-late", { startsAt: now - 60_000, endsAt: now - 1 });
		const buyer = await Buyer.named("time-traveller");
		const tokenFor = (saleId: string) =>
			issuePurchaseToken(env.SESSION_SECRET, saleId, buyer.userId, Date.now() + 60_000);

		const early = await buyer.purchase(upcoming.id, await tokenFor(upcoming.id));
		expect(early.status).toBe(425);
		expect((await early.json<{ error: { startsAt: number } }>()).error.startsAt).toBe(upcoming.startsAt);
		await expectError(buyer.purchase(ended.id, await tokenFor(ended.id)), 410, "ended");
		expect((await saleStats(upcoming.id)).sold).toBe(0);
	});
});

describe("sessions", () => {
	it("refuses a missing, expired, forged or unsigned session with 401 unauthenticated", async () => {
		const sale = await createSale("sessions");
		const now = Math.floor(Date.now() / 1000);
		const expired = await sessionToken("someone", -10);
		const forged = await sign({ sub: "someone", exp: now + 60 }, "not-the-secret", "HS256");
		const noExpiry = await sign({ sub: "someone" }, env.SESSION_SECRET, "HS256");
		const header = btoa(JSON.stringify({ alg: "none", typ: "JWT" })).replace(/=+$/, "");
		const body = btoa(JSON.stringify({ sub: "someone", exp: now + 60 })).replace(/=+$/, "");
		const unsigned = `${header}.${body}.`;
		const body400 = { turnstileToken: "XXXX.DUMMY.TOKEN.XXXX" };

		for (const token of [undefined, expired, forged, noExpiry, unsigned, "garbage"]) {
			await expectError(
				call("POST", `/api/sales/${sale.id}/purchase-token`, { token, body: body400 }),
				401,
				"unauthenticated",
			);
			await expectError(call("GET", `/api/sales/${sale.id}/order`, { token }), 401, "unauthenticated");
		}
	});

	it("accepts the session from the session cookie as well as the Authorization header", async () => {
		const sale = await createSale("cookie");
		const token = await sessionToken("cookie-monster");
		const response = await call("GET", `/api/sales/${sale.id}/order`, {
			headers: { cookie: `session=${token}` },
		});
		expect(response.status).toBe(404);
		expect(await errorCode(response)).toBe("no_order");
	});
});
