import { Hono } from "hono";
import * as z from "zod";
import { type BuyerVariables, requireBuyer } from "../auth/session";
import { variantIdSchema } from "../domain/sale";
import type { SaleClient } from "../edge/sale-client";
import { enforceRateLimit } from "../rate-limit";
import { validate } from "../validation";

type DrawsEnv = { Bindings: Env; Variables: BuyerVariables & { sale: SaleClient } };

export const entryBody = z.object({
	purchaseToken: z.string().min(1).max(1_024),
	quantity: z.number().int().min(1).max(1_000).default(1),
	variantId: variantIdSchema.optional(),
});

/** The contract's largest page of entrants. */
const MAX_PAGE = 1_000;

export const entrantsQuery = z.object({
	// The last commitment of the previous page; empty or absent for the first.
	cursor: z
		.string()
		.regex(/^([0-9a-f]{64})?$/, "not a cursor this API returned")
		.default(""),
	limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(100),
});

/**
 * A draw sale's paths under `/api/sales/{saleId}` (shared/API.md "Draws"):
 * the buyer's entry, through the same session, rate limit and purchase-token
 * gates as a purchase, and the draw and its entrant list, which anyone may read.
 */
export const drawRoutes = new Hono<DrawsEnv>()
	.post("/entry", requireBuyer, validate("json", entryBody), async (c) => {
		const { sale, buyerId } = c.var;
		const { purchaseToken, quantity, variantId } = c.req.valid("json");
		await sale.requireDraw(Date.now());
		await sale.requirePurchaseToken(purchaseToken, buyerId, Date.now());
		await enforceRateLimit(c.env, "PURCHASE_RATE_LIMITER", buyerId);
		const { entry, created } = await sale.enter(buyerId, quantity, variantId);
		return c.json({ entry }, created ? 201 : 200);
	})
	.get("/entry", requireBuyer, async (c) => {
		return c.json({ entry: await c.var.sale.entryOf(c.var.buyerId) });
	})
	.get("/draw", async (c) => {
		return c.json({ draw: await c.var.sale.draw() });
	})
	.get("/draw/entrants", validate("query", entrantsQuery), async (c) => {
		const { cursor, limit } = c.req.valid("query");
		return c.json(await c.var.sale.entrants(cursor, limit));
	})
	.get("/draw/entrants.ndjson", async (c) => {
		const sale = c.var.sale;
		// The first page answers before the stream starts, so a refusal is still a proper error.
		let page = await sale.entrants("", MAX_PAGE);
		const encoder = new TextEncoder();
		const stream = new ReadableStream<Uint8Array>({
			async pull(controller) {
				const lines = page.entrants.map((entrant) => `${JSON.stringify(entrant)}\n`).join("");
				if (lines !== "") controller.enqueue(encoder.encode(lines));
				if (page.nextCursor === null) {
					controller.close();
					return;
				}
				page = await sale.entrants(page.nextCursor, MAX_PAGE);
			},
		});
		return c.body(stream, 200, { "content-type": "application/x-ndjson; charset=utf-8" });
	});
