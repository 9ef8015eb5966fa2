import { desc } from "drizzle-orm";
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { z } from "zod";
import { issuePurchaseToken, isValidPurchaseToken } from "../auth/purchase-token";
import { type BuyerVariables, requireBuyer } from "../auth/session";
import { sales } from "../db/schema";
import type { SaleRecord } from "../domain/sale";
import { ApiError } from "../http-error";
import { orderBookDb } from "../order-book";
import { countAtEdge, recordPurchaseDecision } from "../purchase-decisions";
import { clientIp, enforceRateLimit, rateLimit } from "../rate-limit";
import {
	callGate,
	knownSale,
	rememberRemaining,
	rememberSale,
	soldOutFor,
	viewSale,
} from "../sale-directory";
import type { PurchaseResult } from "../sale-gate";
import { assertHuman, turnstileBody } from "../turnstile";
import { requireSaleIdParam, validate } from "../validation";
import { methodNotAllowed } from "./method-not-allowed";

type SalesEnv = { Bindings: Env; Variables: BuyerVariables };

const purchaseBody = z.object({
	purchaseToken: z.string().min(1).max(1_024),
	quantity: z.number().int().min(1).max(1_000).default(1),
});

/** The public list looks at this many of the most recently created sales. */
const LISTED_SALES = 50;

/** A malformed sale id cannot name a sale, so it is answered like an unknown one. */
const requireSaleId = requireSaleIdParam(
	() => new ApiError("sale_not_found", "There is no sale with that id."),
);

/**
 * When the crowd arrives after the last unit, or clicks before the start,
 * this isolate usually already knows the answer. The sale's state is public
 * (`GET /api/sales/{id}` shows it), so the answer comes first, before the
 * session, the rate limiter, the body and the bot check: a refusal costs
 * about what a bare route does, and an early click does not spend the
 * buyer's Turnstile token.
 */
const refuseKnownClosedSale = createMiddleware<SalesEnv>(async (c, next) => {
	const sale = knownSale(c.req.param("saleId") ?? "", Date.now());
	if (sale && sale.status !== "live") throw saleClosed(sale.status, sale);
	await next();
});

/** `GET /api/sales`, `GET /api/sales/*` and the buying flow: token, purchase, order. */
export const salesRoutes = new Hono<SalesEnv>()
	// The shop's front page: sales that have not ended, soonest first.
	.get("/", async (c) => {
		const now = Date.now();
		const rows = await orderBookDb(c.env.DB)
			.select({ id: sales.id })
			.from(sales)
			.orderBy(desc(sales.createdAt))
			.limit(LISTED_SALES);
		const views = await Promise.all(rows.map(({ id }) => viewSale(c.env, id, now)));
		const open = views.filter((sale) => sale.status !== "ended").sort((a, b) => a.startsAt - b.startsAt);
		return c.json({ sales: open, serverTime: now });
	})
	.all("/", methodNotAllowed)
	.use("/:saleId/*", requireSaleId)
	.use("/:saleId", requireSaleId)
	.get("/:saleId", async (c) => {
		const now = Date.now();
		const sale = await viewSale(c.env, c.req.param("saleId"), now);
		return c.json({ sale, serverTime: now });
	})
	.post(
		"/:saleId/purchase-token",
		refuseKnownClosedSale,
		requireBuyer,
		rateLimit<SalesEnv>("TOKEN_RATE_LIMITER", clientIp),
		validate("json", turnstileBody),
		async (c) => {
			const saleId = c.req.param("saleId");
			await assertHuman(c.env.TURNSTILE_SECRET_KEY, c.req.valid("json").turnstileToken, clientIp(c));
			const now = Date.now();
			const sale = await viewSale(c.env, saleId, now);
			if (sale.status !== "live") throw saleClosed(sale.status, sale);
			const expiresAt = now + Number(c.env.PURCHASE_TOKEN_TTL_SECONDS) * 1000;
			const purchaseToken = await issuePurchaseToken(c.env.SESSION_SECRET, saleId, c.var.buyerId, expiresAt);
			return c.json({ purchaseToken, expiresAt });
		},
	)
	.post(
		"/:saleId/purchase",
		recordPurchaseDecision,
		requireBuyer,
		validate("json", purchaseBody),
		async (c) => {
			const saleId = c.req.param("saleId");
			const buyerId = c.var.buyerId;
			const { purchaseToken, quantity } = c.req.valid("json");
			// Checked here, at the edge, so a forged or stolen token never
			// costs the sale's Durable Object a request.
			if (!(await isValidPurchaseToken(c.env.SESSION_SECRET, purchaseToken, saleId, buyerId, Date.now()))) {
				throw new ApiError("invalid_token", "The purchase token is missing, expired or not yours.");
			}
			if (await soldOutFor(c.env, saleId, buyerId, quantity, Date.now())) {
				countAtEdge(c, saleId, "sold_out");
				throw saleClosed("sold_out", undefined);
			}
			// The per-buyer limit guards the object, so only requests on their
			// way to it count; refusing a bad token above costs less than counting it.
			await enforceRateLimit(c.env, "PURCHASE_RATE_LIMITER", buyerId);
			const result = await callGate(c.env, saleId, (gate) => gate.purchase(buyerId, quantity));
			if (!result.ok) throw purchaseRefused(result);
			rememberRemaining(saleId, result.remaining);
			return c.json({ order: result.order }, result.created ? 201 : 200);
		},
	)
	.get("/:saleId/order", requireBuyer, async (c) => {
		const order = await callGate(c.env, c.req.param("saleId"), (gate) => gate.orderOf(c.var.buyerId));
		if (!order) throw new ApiError("no_order", "You hold no order in this sale.");
		return c.json({ order });
	})
	.all("/:saleId", methodNotAllowed)
	.all("/:saleId/purchase-token", methodNotAllowed)
	.all("/:saleId/purchase", methodNotAllowed)
	.all("/:saleId/order", methodNotAllowed);

function purchaseRefused(result: Extract<PurchaseResult, { ok: false }>): ApiError {
	if (result.reason === "sale_not_found") return new ApiError("sale_not_found", "There is no such sale.");
	if (result.reason === "invalid_quantity") {
		return new ApiError("invalid_request", `quantity: at most ${result.sale?.maxPerUser} per buyer`);
	}
	if (result.sale) rememberSale(result.sale, Date.now());
	return saleClosed(result.reason, result.sale);
}

function saleClosed(
	status: "not_started" | "upcoming" | "ended" | "sold_out",
	sale: SaleRecord | undefined,
): ApiError {
	switch (status) {
		case "not_started":
		case "upcoming":
			return new ApiError("not_started", "The sale has not started yet.", {
				details: { startsAt: sale?.startsAt },
			});
		case "ended":
			return new ApiError("ended", "The sale has ended.");
		case "sold_out":
			return new ApiError("sold_out", "Sold out.");
	}
}
