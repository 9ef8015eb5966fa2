import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import * as z from "zod";
import { type BuyerVariables, requireBuyer } from "../auth/session";
import type { Order } from "../domain/order";
import { variantIdSchema } from "../domain/sale";
import { startCheckout, testPaymentsEnabled } from "../edge/checkout";
import { SaleClient } from "../edge/sale-client";
import { ApiError } from "../http-error";
import { orderBookDb } from "../order-book/queries";
import { clientIp, enforceRateLimit, rateLimit } from "../rate-limit";
import { latestSaleIds } from "../sales-registry";
import { assertHuman, turnstileBody } from "../turnstile";
import { saleFromPath, validate } from "../validation";
import { drawRoutes } from "./draws";
import { logPurchaseDecision } from "./purchase-log";

type SalesEnv = { Bindings: Env; Variables: BuyerVariables & { sale: SaleClient } };

export const purchaseBody = z.object({
	purchaseToken: z.string().min(1).max(1_024),
	quantity: z.number().int().min(1).max(1_000).default(1),
	// Chosen by the page per press of Buy and sent with every retry of it.
	attemptId: z.string().min(1).max(64).optional(),
	variantId: variantIdSchema.optional(),
});

export const waitlistBody = z.object({
	purchaseToken: z.string().min(1).max(1_024),
	quantity: z.number().int().min(1).max(1_000).default(1),
	variantId: variantIdSchema.optional(),
});

export const testPaymentBody = z.object({ outcome: z.enum(["paid", "declined"]) });

/** The public list looks at this many of the most recently created sales. */
const LISTED_SALES = 50;

/** A malformed sale id cannot name a sale, so it is answered like an unknown one. */
const saleOfPath = saleFromPath(() => new ApiError("sale_not_found"));

/**
 * When the crowd arrives after the last unit, or clicks before the start,
 * this isolate usually already knows the answer. The sale's state is public
 * (`GET /api/sales/{id}` shows it), so the answer comes first, before the
 * session, the rate limiter, the body and the bot check: a refusal costs
 * about what a bare route does, and an early click does not spend the
 * buyer's Turnstile token.
 */
const refuseKnownClosedSale = createMiddleware<SalesEnv>(async (c, next) => {
	c.var.sale.refuseIfKnownClosed(Date.now());
	await next();
});

/** `GET /api/sales`, `GET /api/sales/*` and the buying flow: token, purchase, order. */
export const salesRoutes = new Hono<SalesEnv>()
	// The shop's front page: sales that have not ended, soonest first. A
	// sale that cannot be read right now (say, overloaded by its own drop)
	// is named in `unavailable` rather than failing the whole list.
	.get("/", async (c) => {
		const now = Date.now();
		const ids = await latestSaleIds(orderBookDb(c.env.DB), LISTED_SALES);
		const views = await Promise.allSettled(ids.map((id) => new SaleClient(c.env, id).view(now)));
		const open = views
			.flatMap((view) => (view.status === "fulfilled" && view.value.status !== "ended" ? [view.value] : []))
			.sort((a, b) => a.startsAt - b.startsAt);
		const unavailable = ids.filter((_, i) => views[i]?.status === "rejected");
		return c.json({ sales: open, unavailable, serverTime: now });
	})
	.use("/:saleId", saleOfPath)
	.use("/:saleId/*", saleOfPath)
	.route("/:saleId", drawRoutes)
	.get("/:saleId", async (c) => {
		const now = Date.now();
		return c.json({ sale: await c.var.sale.view(now), serverTime: now });
	})
	.post(
		"/:saleId/purchase-token",
		refuseKnownClosedSale,
		requireBuyer,
		rateLimit<SalesEnv>("TOKEN_RATE_LIMITER", clientIp),
		validate("json", turnstileBody),
		async (c) => {
			await assertHuman(c, c.req.valid("json").turnstileToken);
			return c.json(await c.var.sale.issuePurchaseToken(c.var.buyerId, Date.now()));
		},
	)
	.post("/:saleId/purchase", logPurchaseDecision, requireBuyer, validate("json", purchaseBody), async (c) => {
		const { sale, buyerId } = c.var;
		const { purchaseToken, quantity, attemptId, variantId } = c.req.valid("json");
		sale.refuseIfKnownDraw(Date.now());
		await sale.requirePurchaseToken(purchaseToken, buyerId, Date.now());
		await sale.refuseIfSoldOutFor(buyerId, quantity, Date.now());
		// The per-buyer limit guards the object, so only requests on their way
		// to it count; refusing a bad token above costs less than counting it.
		await enforceRateLimit(c.env, "PURCHASE_RATE_LIMITER", buyerId);
		const { order, created } = await sale.purchase(buyerId, quantity, attemptId, variantId);
		return c.json({ order }, created ? 201 : 200);
	})
	.get("/:saleId/order", requireBuyer, async (c) => {
		const { sale, buyerId } = c.var;
		const now = Date.now();
		let order = sale.knownOrderOf(buyerId, now);
		if (!order) {
			await enforceRateLimit(c.env, "POLL_RATE_LIMITER", pollKey(c.req.param("saleId"), buyerId));
			order = await sale.orderOf(buyerId);
		}
		c.header("Cache-Control", orderCacheControl(order, now));
		c.header("Vary", "Authorization, Cookie");
		return c.json({ order });
	})
	.post("/:saleId/order/checkout", requireBuyer, async (c) => {
		const { sale, buyerId } = c.var;
		const order = await sale.heldOrder(buyerId);
		const { sessionId, ...checkout } = await startCheckout(
			c.env,
			await sale.view(Date.now()),
			order,
			new URL(c.req.url).origin,
		);
		// Only a payment through the session the order keeps may confirm it.
		if (sessionId !== null) await sale.keepCheckout(buyerId, order.id, sessionId);
		return c.json(checkout);
	})
	.post("/:saleId/order/cancel", requireBuyer, async (c) => {
		return c.json({ order: await c.var.sale.cancel(c.var.buyerId) });
	})
	.post(
		"/:saleId/order/test-payment",
		// The test provider's own endpoint: with any other provider it does not exist.
		createMiddleware<SalesEnv>(async (c, next) => {
			if (!testPaymentsEnabled(c.env)) throw new ApiError("not_found");
			await next();
		}),
		requireBuyer,
		validate("json", testPaymentBody),
		async (c) => {
			const { outcome } = c.req.valid("json");
			return c.json({ order: await c.var.sale.testPayment(c.var.buyerId, outcome) });
		},
	)
	.post("/:saleId/waitlist", requireBuyer, validate("json", waitlistBody), async (c) => {
		const { sale, buyerId } = c.var;
		const { purchaseToken, quantity, variantId } = c.req.valid("json");
		sale.refuseIfKnownDraw(Date.now());
		await sale.requirePurchaseToken(purchaseToken, buyerId, Date.now());
		await enforceRateLimit(c.env, "PURCHASE_RATE_LIMITER", buyerId);
		const { position, created } = await sale.joinWaitlist(buyerId, quantity, variantId);
		return c.json({ position }, created ? 202 : 200);
	})
	.get("/:saleId/waitlist", requireBuyer, async (c) => {
		const { sale, buyerId } = c.var;
		sale.refuseIfKnownNotWaiting(Date.now());
		await enforceRateLimit(c.env, "POLL_RATE_LIMITER", pollKey(c.req.param("saleId"), buyerId));
		return c.json({ position: await sale.waitlistPosition(buyerId) });
	})
	.delete("/:saleId/waitlist", requireBuyer, async (c) => {
		await c.var.sale.leaveWaitlist(c.var.buyerId);
		return c.body(null, 204);
	});

/** Waiting pages poll their order and waitlist place: the limit is per buyer and per sale's object. */
function pollKey(saleId: string, buyerId: string): string {
	return `${saleId}\n${buyerId}`;
}

/** Longest a browser may reuse an order answer before asking again. */
const ORDER_MAX_AGE_SECONDS = 2;

/**
 * How long the browser may reuse an order answer: a confirmed order is
 * final; a held one only briefly and never past its `holdExpiresAt`, when it
 * may expire; expired or cancelled ones not at all, since a waiting buyer
 * may be handed a new order at any moment.
 */
function orderCacheControl(order: Order, now: number): string {
	const untilDeadline = order.holdExpiresAt === null ? 0 : Math.floor((order.holdExpiresAt - now) / 1000);
	const seconds =
		order.status === "confirmed"
			? ORDER_MAX_AGE_SECONDS
			: order.status === "held"
				? Math.min(ORDER_MAX_AGE_SECONDS, untilDeadline)
				: 0;
	return seconds > 0 ? `private, max-age=${seconds}` : "no-store";
}
