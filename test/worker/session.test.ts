import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { call, createSale, errorCode, siteverifyAnswer, uniqueIp } from "./helpers";

const DUMMY_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";

/** The real Worker, configured with another Turnstile secret. */
async function signInWith(secret: string, ip = uniqueIp(), bindings: Env = env): Promise<Response> {
	const request = new Request("https://doorbuster.test/api/session", {
		method: "POST",
		headers: { "content-type": "application/json", "cf-connecting-ip": ip },
		body: JSON.stringify({ turnstileToken: DUMMY_TOKEN }),
	});
	return await worker.fetch(request, { ...bindings, TURNSTILE_SECRET_KEY: secret }, createExecutionContext());
}

afterEach(() => {
	vi.restoreAllMocks();
});

describe("guest sign-in", () => {
	it("returns a user id and sets an HttpOnly session cookie that then identifies the buyer", async () => {
		const response = await call("POST", "/api/session", { body: { turnstileToken: DUMMY_TOKEN } });
		expect(response.status).toBe(200);
		const body = await response.json<{ userId: string; expiresAt: number }>();
		expect(body.userId).toMatch(/^guest-/);
		expect(body.expiresAt).toBeGreaterThan(Date.now());
		const cookie = response.headers.get("set-cookie") ?? "";
		expect(cookie).toMatch(/^session=[^;]+;/);
		expect(cookie).toMatch(/HttpOnly/);
		expect(cookie).toMatch(/Secure/);
		expect(cookie).toMatch(/SameSite=Lax/);

		const sale = await createSale("guest");
		const order = await call("GET", `/api/sales/${sale.id}/order`, {
			headers: { cookie: cookie.split(";")[0] ?? "" },
		});
		expect(order.status).toBe(404);
		expect(await errorCode(order)).toBe("no_order");
	});

	it("gives each guest a different user id", async () => {
		const ids = new Set<string>();
		for (let i = 0; i < 3; i++) {
			const response = await call("POST", "/api/session", { body: { turnstileToken: DUMMY_TOKEN } });
			ids.add((await response.json<{ userId: string }>()).userId);
		}
		expect(ids.size).toBe(3);
	});

	it("answers 403 bot_check_failed with Turnstile's failing and already-spent test secrets", async () => {
		for (const secret of ["2x0000000000000000000000000000000AA", "3x0000000000000000000000000000000AA"]) {
			const response = await signInWith(secret);
			expect(response.status).toBe(403);
			expect(await errorCode(response)).toBe("bot_check_failed");
			expect(response.headers.get("set-cookie")).toBeNull();
		}
	});

	it("asks siteverify with the secret, the client's address and an idempotency key", async () => {
		const siteverify = vi.spyOn(globalThis, "fetch").mockResolvedValue(siteverifyAnswer());
		const response = await signInWith("0x-real-secret", "203.0.113.7");
		expect(response.status).toBe(200);
		const [url, init] = siteverify.mock.calls[0] ?? [];
		expect(String(url)).toBe("https://challenges.cloudflare.com/turnstile/v0/siteverify");
		expect(JSON.parse(String(init?.body))).toEqual({
			secret: "0x-real-secret",
			response: DUMMY_TOKEN,
			remoteip: "203.0.113.7",
			idempotency_key: expect.stringMatching(/^[0-9a-f-]{36}$/),
		});
	});

	it("fails closed with 503 bot_check_unavailable when siteverify is down, erring or garbled", async () => {
		const outages = [
			() => Promise.reject(new TypeError("fetch failed")),
			() => Promise.resolve(new Response("upstream error", { status: 502 })),
			() => Promise.resolve(Response.json({ success: false, "error-codes": ["internal-error"] })),
			() => Promise.resolve(new Response("<html>not json</html>")),
		];
		for (const outage of outages) {
			vi.spyOn(globalThis, "fetch").mockImplementation(outage);
			const response = await signInWith("0x-real-secret");
			expect(response.status).toBe(503);
			expect(await errorCode(response)).toBe("bot_check_unavailable");
			expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
			vi.restoreAllMocks();
		}
	});

	it("answers 403 bot_check_failed when siteverify rejects the token", async () => {
		vi.spyOn(globalThis, "fetch").mockResolvedValue(
			Response.json({ success: false, "error-codes": ["invalid-input-response"] }),
		);
		const response = await signInWith("0x-real-secret");
		expect(response.status).toBe(403);
		expect(await errorCode(response)).toBe("bot_check_failed");
	});

	it("refuses a token longer than Turnstile's 2,048 characters without asking siteverify, even with a test secret", async () => {
		const siteverify = vi.spyOn(globalThis, "fetch").mockImplementation(async () => siteverifyAnswer());
		for (const secret of ["0x-real-secret", env.TURNSTILE_SECRET_KEY]) {
			const response = await call("POST", "/api/session", {
				bindings: { ...env, TURNSTILE_SECRET_KEY: secret },
				body: { turnstileToken: "x".repeat(3_000) },
			});
			expect(response.status).toBe(403);
			expect(await errorCode(response)).toBe("bot_check_failed");
		}
		expect(siteverify).not.toHaveBeenCalled();
	});

	it("refuses a token siteverify accepts but that was solved for another action or on another site", async () => {
		const signIn = (bindings: Env) => signInWith("0x-real-secret", uniqueIp(), bindings);
		for (const foreign of [{ action: "login" }, { hostname: "evil.example" }, { action: undefined }]) {
			vi.spyOn(globalThis, "fetch").mockResolvedValue(siteverifyAnswer(foreign));
			const response = await signIn(env);
			expect(response.status).toBe(403);
			expect(await errorCode(response)).toBe("bot_check_failed");
			expect(response.headers.get("set-cookie")).toBeNull();
		}
		// A deployment whose page lives on other hostnames names them.
		vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
			siteverifyAnswer({ hostname: "shop.example" }),
		);
		expect((await signIn(env)).status).toBe(403);
		expect((await signIn({ ...env, TURNSTILE_HOSTNAMES: "www.shop.example, shop.example" })).status).toBe(
			200,
		);
	});

	it("rate-limits sign-ins from one address with 429 and Retry-After", async () => {
		const ip = uniqueIp();
		const statuses: number[] = [];
		let limited: Response | undefined;
		for (let i = 0; i < 25 && !limited; i++) {
			const response = await call("POST", "/api/session", { ip, body: { turnstileToken: DUMMY_TOKEN } });
			statuses.push(response.status);
			if (response.status === 429) limited = response;
		}
		expect(statuses.slice(0, 20).every((status) => status === 200)).toBe(true);
		expect(limited?.status).toBe(429);
		expect(await errorCode(limited as Response)).toBe("rate_limited");
		expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThan(0);
	});
});

describe("the small endpoints and the protocol", () => {
	it("gives the page the Turnstile site key and the server time", async () => {
		expect(await (await call("GET", "/api/config")).json()).toEqual({
			turnstileSiteKey: env.TURNSTILE_SITE_KEY,
			turnstileAction: env.TURNSTILE_ACTION,
		});
		expect((await call("GET", "/api/time")).status).toBe(200);
	});

	it("answers 404 not_found for unknown API paths and 405 for wrong methods", async () => {
		const unknown = await call("GET", "/api/nothing-here");
		expect(unknown.status).toBe(404);
		expect(await errorCode(unknown)).toBe("not_found");
		for (const [method, path] of [
			["DELETE", "/api/time"],
			["GET", "/api/session"],
			["PUT", "/api/sales/some-sale"],
			["GET", "/api/sales/some-sale/purchase"],
			["DELETE", "/admin/sales/some-sale"],
		] as const) {
			const response = await call(method, path, {
				token: path.startsWith("/admin") ? env.ADMIN_TOKEN : undefined,
			});
			expect(response.status, `${method} ${path}`).toBe(405);
			expect(await errorCode(response)).toBe("method_not_allowed");
		}
	});

	it("refuses bodies over 16 KiB with 413 and malformed JSON with 400", async () => {
		const huge = await call("POST", "/api/session", { body: { turnstileToken: "x".repeat(17 * 1024) } });
		expect(huge.status).toBe(413);
		expect(await errorCode(huge)).toBe("payload_too_large");

		const malformed = await call("POST", "/api/session", {
			rawBody: "{not json",
			headers: { "content-type": "application/json" },
		});
		expect(malformed.status).toBe(400);
		expect(await errorCode(malformed)).toBe("invalid_request");
	});
});
