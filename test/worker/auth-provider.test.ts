import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Order } from "../../src/domain/order";
import { call, createSale, errorCode, sessionToken } from "./helpers";
import {
	type AsymmetricAlg,
	mint,
	mintHs256,
	mintUnsigned,
	nowSeconds,
	PublishedKeys,
	type SigningKey,
	signingKey,
} from "./key-set";

const ISSUER = "https://login.shop.test/";
const AUDIENCE = "doorbuster";

afterEach(() => {
	vi.restoreAllMocks();
	vi.useRealTimers();
});

/**
 * The Worker configured for a shop's identity provider. Each test publishes
 * its keys at its own URL: keys are cached per URL for the isolate's life.
 */
async function shopLogin(...algs: AsymmetricAlg[]): Promise<{ keys: PublishedKeys; bindings: Env }> {
	const url = `https://login.shop.test/${crypto.randomUUID()}/jwks.json`;
	const keys = new PublishedKeys(url, await Promise.all(algs.map((alg) => signingKey(alg)))).serve();
	return {
		keys,
		bindings: { ...env, SESSION_JWKS_URL: url, SESSION_ISSUER: ISSUER, SESSION_AUDIENCE: AUDIENCE },
	};
}

function claims(sub: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
	const now = nowSeconds();
	return { iss: ISSUER, aud: AUDIENCE, sub, iat: now, exp: now + 600, ...overrides };
}

/** The buyer's order in a live sale, as the session `token` names the buyer. */
async function myOrder(token: string, bindings: Env, saleId?: string): Promise<Response> {
	const id = saleId ?? (await createSale("provider")).id;
	return call("GET", `/api/sales/${id}/order`, { token, bindings });
}

async function expectSignedIn(response: Response): Promise<void> {
	expect(response.status).toBe(404);
	expect(await errorCode(response)).toBe("no_order");
}

async function expectRefused(response: Response): Promise<void> {
	expect(response.status).toBe(401);
	expect(await errorCode(response)).toBe("unauthenticated");
}

function key(keys: PublishedKeys, index = 0): SigningKey {
	const found = keys.keys[index];
	if (!found) throw new Error(`no key ${index}`);
	return found;
}

describe("sessions from the shop's identity provider", () => {
	it("buys as the provider's `sub` with an RS256 token", async () => {
		const { keys, bindings } = await shopLogin("RS256");
		const sale = await createSale("provider-rs256");
		const token = await mint(key(keys), claims("auth0|alice"));
		const ip = "198.51.100.21";
		const issued = await call("POST", `/api/sales/${sale.id}/purchase-token`, {
			token,
			ip,
			bindings,
			body: { turnstileToken: "XXXX.DUMMY.TOKEN.XXXX" },
		});
		expect(issued.status).toBe(200);
		const { purchaseToken } = await issued.json<{ purchaseToken: string }>();
		const bought = await call("POST", `/api/sales/${sale.id}/purchase`, {
			token,
			ip,
			bindings,
			body: { purchaseToken },
		});
		expect(bought.status).toBe(201);
		expect((await bought.json<{ order: Order }>()).order).toMatchObject({ userId: "auth0|alice" });
	});

	it("accepts ES256 tokens, and fetches the key set once for many requests", async () => {
		const { keys, bindings } = await shopLogin("ES256");
		const sale = await createSale("provider-es256");
		for (const user of ["bob", "carol", "dave"]) {
			await expectSignedIn(await myOrder(await mint(key(keys), claims(user)), bindings, sale.id));
		}
		expect(keys.fetches).toBe(1);
	});

	it("fetches a cold key set once when many buyers arrive at the same moment", async () => {
		const { keys, bindings } = await shopLogin("RS256");
		const sale = await createSale("provider-stampede");
		const tokens = await Promise.all(
			Array.from({ length: 20 }, (_, i) => mint(key(keys), claims(`rush-${i}`))),
		);
		const answers = await Promise.all(tokens.map((token) => myOrder(token, bindings, sale.id)));
		expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 404));
		expect(keys.fetches).toBe(1);
	});

	it("refuses to accept provider tokens when SESSION_ISSUER or SESSION_AUDIENCE is missing", async () => {
		const { keys, bindings } = await shopLogin("RS256");
		const token = await mint(key(keys), claims("nina"));
		for (const missing of ["SESSION_ISSUER", "SESSION_AUDIENCE"] as const) {
			const response = await myOrder(token, { ...bindings, [missing]: "" });
			expect(response.status).toBe(500);
			expect(await errorCode(response)).toBe("internal_error");
		}
		expect(keys.fetches).toBe(0);
	});

	it("picks up a rotated key at once, and refetches at most once per 30 s for unknown kids", async () => {
		vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
		const { keys, bindings } = await shopLogin("RS256");
		const sale = await createSale("provider-rotation");
		await expectSignedIn(await myOrder(await mint(key(keys), claims("erin")), bindings, sale.id));

		// Within 30 s of a fetch, a made-up kid does not cause another one.
		const stranger = await signingKey("RS256");
		await expectRefused(await myOrder(await mint(stranger, claims("mallory")), bindings, sale.id));
		expect(keys.fetches).toBe(1);

		// The provider rotates: a new key is published and signs new tokens.
		const next = await signingKey("RS256");
		keys.keys = [key(keys), next];
		vi.setSystemTime(Date.now() + 31_000);
		await expectSignedIn(await myOrder(await mint(next, claims("erin")), bindings, sale.id));
		expect(keys.fetches).toBe(2);
		await expectSignedIn(await myOrder(await mint(next, claims("frank")), bindings, sale.id));
		expect(keys.fetches).toBe(2);
	});

	it("refuses a token whose key the provider no longer lists, once the set is refreshed", async () => {
		vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
		const { keys, bindings } = await shopLogin("RS256", "RS256");
		const sale = await createSale("provider-withdrawn");
		const [old, current] = [key(keys, 0), key(keys, 1)];
		await expectSignedIn(await myOrder(await mint(old, claims("gina")), bindings, sale.id));

		keys.keys = [current];
		// The cached set is used for ten minutes, then fetched again.
		vi.setSystemTime(Date.now() + 10 * 60_000 + 1_000);
		await expectRefused(await myOrder(await mint(old, claims("gina")), bindings, sale.id));
		expect(keys.fetches).toBe(2);
		await expectSignedIn(await myOrder(await mint(current, claims("gina")), bindings, sale.id));
	});

	it("refuses tokens from another issuer, for another audience, expired, or from the future", async () => {
		const { keys, bindings } = await shopLogin("RS256");
		const sale = await createSale("provider-claims");
		const now = nowSeconds();
		for (const overrides of [
			{ iss: "https://login.other.test/" },
			{ iss: undefined },
			{ aud: "another-app" },
			{ aud: undefined },
			{ exp: now - 1 },
			{ exp: undefined },
			{ iat: now + 120 },
			{ nbf: now + 120 },
			{ sub: "" },
			{ sub: "x".repeat(129) },
		]) {
			await expectRefused(await myOrder(await mint(key(keys), claims("hank", overrides)), bindings, sale.id));
		}
		// Within the clock skew allowed, and with `aud` as a list.
		await expectSignedIn(
			await myOrder(
				await mint(key(keys), claims("hank", { iat: now + 20, aud: ["other", AUDIENCE] })),
				bindings,
				sale.id,
			),
		);
	});

	it("refuses an HS256 token keyed with the provider's public key, and unsigned tokens", async () => {
		const { keys, bindings } = await shopLogin("RS256");
		const sale = await createSale("provider-confusion");
		const published = key(keys);
		const header = { kid: published.kid };
		const attempts = [
			await mintHs256(JSON.stringify(published.publicJwk), header, claims("ivan")),
			await mintHs256(published.publicJwk.n ?? "", header, claims("ivan")),
			mintUnsigned(header, claims("ivan")),
			mintUnsigned({}, claims("ivan")),
		];
		for (const token of attempts) {
			await expectRefused(await myOrder(token, bindings, sale.id));
		}
		await expectSignedIn(await myOrder(await mint(published, claims("ivan")), bindings, sale.id));
	});

	it("refuses RS256 tokens when no provider is configured, without fetching anything", async () => {
		const { keys } = await shopLogin("RS256");
		await expectRefused(await myOrder(await mint(key(keys), claims("judy")), env));
		expect(keys.fetches).toBe(0);
	});

	it("still accepts HS256 tokens signed with SESSION_SECRET when a provider is configured", async () => {
		const { keys, bindings } = await shopLogin("RS256");
		await expectSignedIn(await myOrder(await sessionToken("guest-or-own-login"), bindings));
		expect(keys.fetches).toBe(0);
	});

	it("answers 503 session_keys_unavailable with Retry-After when the key set cannot be fetched", async () => {
		const outages = [
			() => Promise.reject(new TypeError("fetch failed")),
			() => Promise.resolve(new Response("bad gateway", { status: 502 })),
			() => Promise.resolve(Response.json({ no: "keys" })),
		];
		for (const outage of outages) {
			const { keys, bindings } = await shopLogin("RS256");
			keys.outage = outage;
			const response = await myOrder(await mint(key(keys), claims("kim")), bindings);
			expect(response.status).toBe(503);
			expect(await errorCode(response)).toBe("session_keys_unavailable");
			expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
			vi.restoreAllMocks();
		}
	});

	it("keeps accepting cached keys through a provider outage, and retries the fetch after 5 s", async () => {
		vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
		const { keys, bindings } = await shopLogin("ES256");
		const sale = await createSale("provider-outage");
		await expectSignedIn(await myOrder(await mint(key(keys), claims("lee")), bindings, sale.id));

		keys.outage = () => Promise.reject(new TypeError("fetch failed"));
		vi.setSystemTime(Date.now() + 11 * 60_000);
		await expectSignedIn(await myOrder(await mint(key(keys), claims("lee")), bindings, sale.id));
		await expectSignedIn(await myOrder(await mint(key(keys), claims("lee")), bindings, sale.id));
		expect(keys.fetches).toBe(2);

		vi.setSystemTime(Date.now() + 6_000);
		keys.outage = null;
		await expectSignedIn(await myOrder(await mint(key(keys), claims("lee")), bindings, sale.id));
		expect(keys.fetches).toBe(3);
	});

	it("stops trusting a key set it could not refresh for an hour", async () => {
		vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
		const { keys, bindings } = await shopLogin("RS256");
		const sale = await createSale("provider-stale", { endsAt: Date.now() + 3 * 3_600_000 });
		await expectSignedIn(await myOrder(await mint(key(keys), claims("max")), bindings, sale.id));

		keys.outage = () => Promise.resolve(new Response("down", { status: 503 }));
		vi.setSystemTime(Date.now() + 61 * 60_000);
		const response = await myOrder(await mint(key(keys), claims("max")), bindings, sale.id);
		expect(response.status).toBe(503);
		expect(await errorCode(response)).toBe("session_keys_unavailable");
	});
});
