import { Hono } from "hono";
import { z } from "zod";
import { requireAdmin } from "../auth/admin";
import { sales } from "../db/schema";
import { saleInputSchema } from "../domain/sale";
import { ApiError } from "../http-error";
import { renderMetrics, type SaleMetrics } from "../metrics";
import {
	countRecorded,
	countRecordedBySale,
	orderBookCsv,
	orderBookDb,
	readOrderPage,
	recordedIds,
} from "../order-book";
import { callGate, rememberSale } from "../sale-directory";
import { requireSaleIdParam, validate } from "../validation";
import { methodNotAllowed } from "./method-not-allowed";

type AdminEnv = { Bindings: Env };

const orderPageQuery = z.object({
	cursor: z
		.string()
		.regex(/^\d{1,15}$/, "not a cursor this API returned")
		.optional(),
	limit: z.coerce.number().int().min(1).max(1_000).default(100),
});

/** Orders compared per round trip while reconciling; D1 binds at most 100 parameters. */
const RECONCILE_PAGE = 90;

/** Admin paths name sales by slug; anything else is a bad request, not a missing sale. */
const requireKnownSaleId = requireSaleIdParam(
	() => new ApiError("invalid_request", "saleId: must match ^[a-z0-9][a-z0-9-]{0,62}$"),
);

/** `/admin/*`: creating, inspecting and repairing sales. */
export const adminRoutes = new Hono<AdminEnv>()
	.use(requireAdmin)
	.get("/sales", async (c) => {
		const ids = await saleIds(c.env);
		const views = await Promise.all(ids.map((id) => callGate(c.env, id, (gate) => gate.view())));
		return c.json({ sales: views.filter((sale) => sale !== null) });
	})
	.get("/metrics", async (c) => {
		const [ids, recorded] = await Promise.all([saleIds(c.env), countRecordedBySale(orderBookDb(c.env.DB))]);
		const figures = await Promise.all(
			ids.map(async (saleId) => {
				const stats = await callGate(c.env, saleId, (gate) => gate.stats());
				if (!stats) return null;
				const ordersPending = Math.max(0, stats.buyers - (recorded.get(saleId) ?? 0));
				return { saleId, ...stats, ordersPending } satisfies SaleMetrics;
			}),
		);
		return c.text(renderMetrics(figures.filter((sale) => sale !== null)), 200, {
			"content-type": "text/plain; version=0.0.4; charset=utf-8",
		});
	})
	.use("/sales/:saleId", requireKnownSaleId)
	.use("/sales/:saleId/*", requireKnownSaleId)
	.put("/sales/:saleId", validate("json", saleInputSchema), async (c) => {
		const saleId = c.req.param("saleId");
		const result = await callGate(c.env, saleId, (gate) => gate.configure(saleId, c.req.valid("json")));
		if (!result.ok) throw new ApiError("sale_started", "The sale has started; it can no longer be changed.");
		await orderBookDb(c.env.DB)
			.insert(sales)
			.values({ id: saleId, createdAt: Date.now() })
			.onConflictDoNothing();
		rememberSale(result.sale, Date.now());
		return c.json({ sale: result.sale }, result.created ? 201 : 200);
	})
	.get("/sales/:saleId", async (c) => {
		const saleId = c.req.param("saleId");
		const [sale, gateStats, series, ordersRecorded] = await Promise.all([
			callGate(c.env, saleId, (gate) => gate.view()),
			callGate(c.env, saleId, (gate) => gate.stats()),
			callGate(c.env, saleId, (gate) => gate.series()),
			countRecorded(orderBookDb(c.env.DB), saleId),
		]);
		if (!sale || !gateStats) throw new ApiError("sale_not_found", `There is no sale "${saleId}".`);
		const stats = {
			...gateStats,
			ordersRecorded,
			ordersPending: Math.max(0, gateStats.buyers - ordersRecorded),
		};
		return c.json({ sale, stats, series });
	})
	.get("/sales/:saleId/orders", validate("query", orderPageQuery), async (c) => {
		const saleId = c.req.param("saleId");
		const { cursor, limit } = c.req.valid("query");
		await assertSaleExists(c.env, saleId);
		return c.json(await readOrderPage(orderBookDb(c.env.DB), saleId, Number(cursor ?? 0), limit));
	})
	.get("/sales/:saleId/orders.csv", async (c) => {
		const saleId = c.req.param("saleId");
		await assertSaleExists(c.env, saleId);
		return c.body(orderBookCsv(orderBookDb(c.env.DB), saleId), 200, {
			"content-type": "text/csv; charset=utf-8; header=present",
			"content-disposition": `attachment; filename="${saleId}-orders.csv"`,
		});
	})
	.post("/sales/:saleId/reconcile", async (c) => {
		const saleId = c.req.param("saleId");
		const stats = await callGate(c.env, saleId, (gate) => gate.stats());
		if (!stats) throw new ApiError("sale_not_found", `There is no sale "${saleId}".`);
		const db = orderBookDb(c.env.DB);
		if ((await countRecorded(db, saleId)) === stats.buyers) return c.json({ resent: 0 });
		let resent = 0;
		let afterSeq = 0;
		for (;;) {
			const page = await callGate(c.env, saleId, (gate) => gate.ordersAfter(afterSeq, RECONCILE_PAGE));
			const last = page.at(-1);
			if (!last) break;
			const recorded = await recordedIds(
				db,
				page.map((order) => order.id),
			);
			const missing = page.filter((order) => !recorded.has(order.id)).map((order) => order.seq);
			if (missing.length > 0) resent += await callGate(c.env, saleId, (gate) => gate.resend(missing));
			afterSeq = last.seq;
		}
		return c.json({ resent });
	})
	.all("/sales", methodNotAllowed)
	.all("/sales/:saleId", methodNotAllowed)
	.all("/sales/:saleId/orders", methodNotAllowed)
	.all("/sales/:saleId/orders.csv", methodNotAllowed)
	.all("/metrics", methodNotAllowed)
	.all("/sales/:saleId/reconcile", methodNotAllowed);

/** Every sale an admin created, oldest first. */
async function saleIds(env: Env): Promise<string[]> {
	const rows = await orderBookDb(env.DB).select({ id: sales.id }).from(sales).orderBy(sales.createdAt);
	return rows.map((row) => row.id);
}

async function assertSaleExists(env: Env, saleId: string): Promise<void> {
	const sale = await callGate(env, saleId, (gate) => gate.view());
	if (!sale) throw new ApiError("sale_not_found", `There is no sale "${saleId}".`);
}
