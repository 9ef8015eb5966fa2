import { Hono } from "hono";
import * as z from "zod";
import { type AdminVariables, requireAdmin } from "../auth/admin";
import { saleInputSchema } from "../domain/sale";
import { drawBeacon } from "../draw/beacon-choice";
import { requirePaymentsFor } from "../edge/checkout";
import { SaleClient } from "../edge/sale-client";
import { invalidRequest } from "../http-error";
import { renderMetrics, type SaleMetrics } from "../metrics";
import { orderBookCsv } from "../order-book/csv-export";
import { countRecorded, orderBookDb, readOrderPage, recordedFiguresBySale } from "../order-book/queries";
import { allSaleIds, registerSale } from "../sales-registry";
import { saleFromPath, validate } from "../validation";

type AdminEnv = { Bindings: Env; Variables: AdminVariables & { sale: SaleClient } };

export const orderPageQuery = z.object({
	cursor: z
		.string()
		.regex(/^\d{1,15}$/, "not a cursor this API returned")
		.optional(),
	limit: z.coerce.number().int().min(1).max(1_000).default(100),
});

/** Admin paths name sales by slug; anything else is a bad request, not a missing sale. */
const saleOfPath = saleFromPath(() => invalidRequest("saleId: must match ^[a-z0-9][a-z0-9-]{0,62}$"));

/** `/admin/*`: creating, inspecting and repairing sales. */
export const adminRoutes = new Hono<AdminEnv>()
	.use(requireAdmin)
	// Who the console is signed on as: with Cloudflare Access, the browser's
	// own sign-on is enough and the console asks for no token.
	.get("/session", (c) => c.json(c.var.admin))
	// A sale that cannot be read right now is named in `unavailable` rather
	// than failing the whole list during the very drop that overloads it.
	.get("/sales", async (c) => {
		const ids = await allSaleIds(orderBookDb(c.env.DB));
		const views = await Promise.allSettled(ids.map((id) => new SaleClient(c.env, id).view(Date.now())));
		return c.json({
			sales: views.flatMap((view) => (view.status === "fulfilled" ? [view.value] : [])),
			unavailable: ids.filter((_, i) => views[i]?.status === "rejected"),
		});
	})
	.get("/metrics", async (c) => {
		const db = orderBookDb(c.env.DB);
		const [ids, recorded] = await Promise.all([allSaleIds(db), recordedFiguresBySale(db)]);
		const figures = await Promise.all(
			ids.map(async (saleId): Promise<SaleMetrics> => {
				const stats = await new SaleClient(c.env, saleId).stats().catch(() => null);
				if (!stats) return { saleId, up: false };
				const book = recorded.get(saleId) ?? { orders: 0, heldUnits: 0, revenueCents: 0 };
				const ordersPending = Math.max(0, stats.buyers - book.orders);
				return {
					saleId,
					up: true,
					...stats,
					ordersPending,
					heldUnits: book.heldUnits,
					revenueCents: book.revenueCents,
				};
			}),
		);
		return c.text(renderMetrics(figures), 200, {
			"content-type": "text/plain; version=0.0.4; charset=utf-8",
		});
	})
	.use("/sales/:saleId", saleOfPath)
	.use("/sales/:saleId/*", saleOfPath)
	.put("/sales/:saleId", validate("json", saleInputSchema), async (c) => {
		const input = c.req.valid("json");
		requirePaymentsFor(c.env, input);
		const { sale, created } = await c.var.sale.configure(input, drawBeacon(c.env, input.mode));
		await registerSale(orderBookDb(c.env.DB), sale.id, Date.now());
		return c.json({ sale }, created ? 201 : 200);
	})
	.get("/sales/:saleId", async (c) => {
		const [{ sale, stats, series }, ordersRecorded] = await Promise.all([
			c.var.sale.overview(),
			countRecorded(orderBookDb(c.env.DB), c.req.param("saleId")),
		]);
		const ordersPending = Math.max(0, stats.buyers - ordersRecorded);
		return c.json({ sale, stats: { ...stats, ordersRecorded, ordersPending }, series });
	})
	.get("/sales/:saleId/orders", validate("query", orderPageQuery), async (c) => {
		const { cursor, limit } = c.req.valid("query");
		await c.var.sale.view(Date.now());
		return c.json(
			await readOrderPage(orderBookDb(c.env.DB), c.req.param("saleId"), Number(cursor ?? 0), limit),
		);
	})
	.get("/sales/:saleId/orders.csv", async (c) => {
		const saleId = c.req.param("saleId");
		await c.var.sale.view(Date.now());
		return c.body(orderBookCsv(orderBookDb(c.env.DB), saleId), 200, {
			"content-type": "text/csv; charset=utf-8; header=present",
			"content-disposition": `attachment; filename="${saleId}-orders.csv"`,
		});
	})
	.post("/sales/:saleId/reconcile", async (c) => {
		const resent = await c.var.sale.reconcileOrderBook();
		return c.json({ resent });
	});
