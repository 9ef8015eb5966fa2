import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Order } from "../../src/domain/order";
import type { Sale } from "../../src/domain/sale";
import worker from "../../src/index";
import {
	Buyer,
	call,
	createSale,
	type ErrorBody,
	errorCode,
	limiterPeriod,
	saleStats,
	sessionToken,
	siteverifyAnswer,
} from "./helpers";

afterEach(() => {
	vi.restoreAllMocks();
});

/**
 * Waits, if need be, for the start of the limiter's next window: the local
 * limiter counts in windows aligned to the wall clock, and a burst that
 * straddled two of them could stay under the limit in each.
 */
async function atWindowStart(limiter: string): Promise<void> {
	const windowMs = limiterPeriod(limiter) * 1000;
	const left = windowMs - (Date.now() % windowMs);
	if (left < 5_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

describe("rate limits", () => {
	it("limits purchase tokens per client address, whoever the buyers are", async () => {
		const sale = await createSale("token-flood", { totalStock: 100 });
		const ip = "192.0.2.77";
		const statuses: number[] = [];
		await atWindowStart("TOKEN_RATE_LIMITER");
		for (let i = 0; i < 35; i++) {
			const response = await call("POST", `/api/sales/${sale.id}/purchase-token`, {
				ip,
				token: await sessionToken(`flood-${i}`),
				body: { turnstileToken: "XXXX.DUMMY.TOKEN.XXXX" },
			});
			statuses.push(response.status);
			if (response.status === 429) {
				expect(await errorCode(response)).toBe("rate_limited");
				expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
			}
		}
		expect(statuses.slice(0, 30).every((status) => status === 200)).toBe(true);
		expect(statuses.slice(30).every((status) => status === 429)).toBe(true);
	});

	it("limits purchase attempts per buyer, whatever address they come from", async () => {
		const sale = await createSale("purchase-flood", { totalStock: 100 });
		const buyer = await Buyer.named("hammer");
		const token = await buyer.purchaseToken(sale.id);
		const statuses: number[] = [];
		const retryAfter = new Set<string | null>();
		await atWindowStart("PURCHASE_RATE_LIMITER");
		for (let i = 0; i < 35; i++) {
			const response = await call("POST", `/api/sales/${sale.id}/purchase`, {
				token: buyer.session,
				body: { purchaseToken: token },
			});
			statuses.push(response.status);
			if (response.status === 429) retryAfter.add(response.headers.get("retry-after"));
		}
		// Wait out the limiter's window, as wrangler.jsonc configures it.
		expect([...retryAfter]).toEqual([String(limiterPeriod("PURCHASE_RATE_LIMITER"))]);
		expect(statuses[0]).toBe(201);
		expect(statuses.slice(1, 30).every((status) => status === 200)).toBe(true);
		expect(statuses.slice(30).every((status) => status === 429)).toBe(true);
		expect((await saleStats(sale.id)).sold).toBe(1);
	});

	it("counts against a buyer's limit only the attempts that reach the sale", async () => {
		const sale = await createSale("forged-first", { totalStock: 10 });
		const buyer = await Buyer.named("fumbler");
		for (let i = 0; i < 35; i++) {
			const response = await buyer.purchase(sale.id, `forged.${i}`);
			expect(response.status).toBe(403);
			expect(await errorCode(response)).toBe("invalid_token");
		}
		expect((await buyer.buy(sale.id)).status).toBe(201);
	});
});

describe("the bot check", () => {
	it("lets a Turnstile token through once and refuses its replay", async () => {
		const spent = new Set<string>();
		vi.spyOn(globalThis, "fetch").mockImplementation(async (_url, init) => {
			// Siteverify's documented answer to a token it has seen before.
			const { response } = JSON.parse(String(init?.body)) as { response: string };
			if (spent.has(response))
				return Response.json({ success: false, "error-codes": ["timeout-or-duplicate"] });
			spent.add(response);
			return siteverifyAnswer();
		});
		const signIn = () =>
			worker.fetch(
				new Request("https://doorbuster.test/api/session", {
					method: "POST",
					headers: { "content-type": "application/json", "cf-connecting-ip": "192.0.2.90" },
					body: JSON.stringify({ turnstileToken: "one-real-token" }),
				}),
				{ ...env, TURNSTILE_SECRET_KEY: "0x-real-secret" },
				createExecutionContext(),
			);
		expect((await signIn()).status).toBe(200);
		const replay = await signIn();
		expect(replay.status).toBe(403);
		expect(await errorCode(replay)).toBe("bot_check_failed");
	});
});

describe("refusals the edge already knows", () => {
	/** Siteverify stubbed at the fetch boundary, counting the Turnstile tokens it is asked to spend. */
	function countSiteverify(): { spent: number } {
		const counter = { spent: 0 };
		vi.spyOn(globalThis, "fetch").mockImplementation(async () => {
			counter.spent += 1;
			return siteverifyAnswer();
		});
		return counter;
	}

	const askToken = async (saleId: string, userId: string, ip: string) =>
		worker.fetch(
			new Request(`https://doorbuster.test/api/sales/${saleId}/purchase-token`, {
				method: "POST",
				headers: {
					authorization: `Bearer ${await sessionToken(userId)}`,
					"content-type": "application/json",
					"cf-connecting-ip": ip,
				},
				body: JSON.stringify({ turnstileToken: `token-of-${userId}` }),
			}),
			{ ...env, TURNSTILE_SECRET_KEY: "0x-real-secret" },
			createExecutionContext(),
		);

	it("tells a crowd arriving after the last unit sold_out, spending neither bot checks nor rate limit", async () => {
		const sale = await createSale("late-crowd", { totalStock: 1 });
		expect((await (await Buyer.named("first")).buy(sale.id)).status).toBe(201);
		const siteverify = countSiteverify();
		// More requests from one address than the token limit admits.
		for (let i = 0; i < 40; i++) {
			const response = await askToken(sale.id, `late-${i}`, "192.0.2.120");
			expect(response.status).toBe(409);
			expect(await errorCode(response)).toBe("sold_out");
		}
		expect(siteverify.spent).toBe(0);
	});

	it("answers early clicks not_started without spending the buyer's Turnstile token", async () => {
		const sale = await createSale("early-clicks", {
			startsAt: Date.now() + 60_000,
			endsAt: Date.now() + 120_000,
		});
		// The countdown page reads the sale before anyone can click.
		expect((await call("GET", `/api/sales/${sale.id}`)).status).toBe(200);
		const siteverify = countSiteverify();
		for (let i = 0; i < 5; i++) {
			const response = await askToken(sale.id, "eager", "192.0.2.121");
			expect(response.status).toBe(425);
			expect(((await response.json()) as ErrorBody).error.startsAt).toBe(sale.startsAt);
		}
		expect(siteverify.spent).toBe(0);
	});

	it("refuses late purchases itself once it knows the holders, and still gives a holder the order", async () => {
		const sale = await createSale("final-holders", { totalStock: 1 });
		const winner = await Buyer.named("holder");
		const late = await Buyer.named("too-late");
		const lateToken = await late.purchaseToken(sale.id);
		const winnerToken = await winner.purchaseToken(sale.id);
		const first = await winner.purchase(sale.id, winnerToken);
		expect(first.status).toBe(201);
		const { order } = await first.json<{ order: Order }>();

		// More attempts than the per-buyer limit admits: refused at the edge, so never rate limited.
		for (let i = 0; i < 35; i++) {
			const response = await late.purchase(sale.id, lateToken);
			expect(response.status).toBe(409);
			expect(await errorCode(response)).toBe("sold_out");
		}
		const again = await winner.purchase(sale.id, winnerToken);
		expect(again.status).toBe(200);
		expect((await again.json<{ order: Order }>()).order).toEqual(order);
		expect((await late.order(sale.id)).status).toBe(404);
		await vi.waitFor(async () => expect((await saleStats(sale.id)).outcomes.sold_out).toBe(35), {
			timeout: 5_000,
			interval: 200,
		});
		expect(await saleStats(sale.id)).toMatchObject({ sold: 1, buyers: 1 });
	});

	it("tells a caller without a session what anyone can see, and nothing more", async () => {
		const sale = await createSale("late-anonymous", { totalStock: 1 });
		const anonymous = () =>
			call("POST", `/api/sales/${sale.id}/purchase-token`, {
				body: { turnstileToken: "XXXX.DUMMY.TOKEN.XXXX" },
			});
		const whileLive = await anonymous();
		expect(whileLive.status).toBe(401);
		expect(await errorCode(whileLive)).toBe("unauthenticated");

		expect((await (await Buyer.named("only")).buy(sale.id)).status).toBe(201);
		const afterSellOut = await anonymous();
		expect(afterSellOut.status).toBe(409);
		expect(await errorCode(afterSellOut)).toBe("sold_out");
		expect((await (await call("GET", `/api/sales/${sale.id}`)).json<{ sale: Sale }>()).sale.status).toBe(
			"sold_out",
		);
	});
});

describe("response headers", () => {
	it("sends security headers on every API answer, errors included", async () => {
		for (const path of ["/api/time", "/api/sales/no-such-sale", "/admin/sales"]) {
			const response = await call("GET", path);
			expect(response.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
			expect(response.headers.get("x-content-type-options")).toBe("nosniff");
			expect(response.headers.get("x-frame-options")).toBe("DENY");
			expect(response.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
		}
	});

	it("allows no cross-origin calls unless origins are configured", async () => {
		const fromElsewhere = await call("GET", "/api/time", { headers: { origin: "https://evil.example" } });
		expect(fromElsewhere.headers.get("access-control-allow-origin")).toBeNull();

		const configured = { ...env, CORS_ORIGINS: "https://shop.example" };
		const ask = (origin: string) =>
			worker.fetch(
				new Request("https://doorbuster.test/api/time", { headers: { origin } }),
				configured,
				createExecutionContext(),
			);
		expect((await ask("https://shop.example")).headers.get("access-control-allow-origin")).toBe(
			"https://shop.example",
		);
		expect((await ask("https://evil.example")).headers.get("access-control-allow-origin")).toBeNull();
	});
});
