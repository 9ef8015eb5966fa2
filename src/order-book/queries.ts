import { and, asc, count, eq, gt, lte, sql, sum } from "drizzle-orm";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import { orders } from "../db/schema";
import type { Order } from "../domain/order";

/** The order book: each sale's orders in D1, as the queue delivers them; `$client` is the D1 binding. */
export type OrderBookDb = DrizzleD1Database & { $client: D1Database };

export function orderBookDb(d1: D1Database): OrderBookDb {
	return drizzle(d1);
}

/** What the order book holds of one sale, for the metrics. */
export interface RecordedFigures {
	orders: number;
	/** Units of orders recorded as `held`. */
	heldUnits: number;
	/** Amounts of orders recorded as `confirmed` with a payment, in cents of the sale's currency. */
	revenueCents: number;
}

/** What the order book holds of each sale that has any orders, in one query. */
export async function recordedFiguresBySale(db: OrderBookDb): Promise<Map<string, RecordedFigures>> {
	const rows = await db
		.select({
			saleId: orders.saleId,
			orders: count(),
			heldUnits: sql<number>`coalesce(sum(case when ${orders.status} = 'held' then ${orders.quantity} end), 0)`,
			revenueCents: sql<number>`coalesce(sum(case when ${orders.status} = 'confirmed' and ${orders.paidAt} is not null then ${orders.amountCents} end), 0)`,
		})
		.from(orders)
		.groupBy(orders.saleId);
	return new Map(rows.map(({ saleId, ...figures }) => [saleId, figures]));
}

export async function countRecorded(db: OrderBookDb, saleId: string): Promise<number> {
	const [row] = await db.select({ n: count() }).from(orders).where(eq(orders.saleId, saleId));
	return row?.n ?? 0;
}

/**
 * One page of a sale's order book, in the order the order book recorded
 * the orders; the cursor is the last position read. The queue delivers out
 * of order, so a page by seq could pass an order that lands later with a
 * lower seq; a position is given on arrival and only grows, so an order
 * recorded after a page was read always comes on a later page.
 */
export async function readOrderPage(
	db: OrderBookDb,
	saleId: string,
	afterPosition: number,
	limit: number,
): Promise<{ orders: Order[]; nextCursor: string | null }> {
	const rows = await db
		.select()
		.from(orders)
		.where(and(eq(orders.saleId, saleId), gt(orders.position, afterPosition)))
		.orderBy(asc(orders.position))
		.limit(limit + 1);
	const page = rows.slice(0, limit);
	const last = page.at(-1);
	return {
		orders: page.map(({ position: _position, seq: _seq, version: _version, ...order }) => order),
		nextCursor: rows.length > limit && last ? String(last.position) : null,
	};
}

/**
 * How many orders of a sale the order book holds, and the sum of their
 * versions. A row is only ever written at a version its sale's object gave
 * it, so the order book is complete and current exactly when both equal the
 * object's own figures: one query tells whether anything is missing.
 */
export async function recordedTally(
	db: OrderBookDb,
	saleId: string,
	shard: ShardOfSale | null = null,
): Promise<{ orders: number; versions: number }> {
	const [row] = await db
		.select({ orders: count(), versions: sum(orders.version).mapWith(Number) })
		.from(orders)
		.where(and(eq(orders.saleId, saleId), ofShard(shard)));
	return { orders: row?.orders ?? 0, versions: row?.versions ?? 0 };
}

/**
 * The version the order book holds of each order of a sale with a seq in
 * `(afterSeq, throughSeq]`, by seq; orders it lacks are absent. One range
 * read on the sale's seq index, however many orders the range holds.
 */
export async function recordedVersions(
	db: OrderBookDb,
	saleId: string,
	afterSeq: number,
	throughSeq: number,
	shard: ShardOfSale | null = null,
): Promise<Map<number, number>> {
	const rows = await db
		.select({ seq: orders.seq, version: orders.version })
		.from(orders)
		.where(
			and(eq(orders.saleId, saleId), gt(orders.seq, afterSeq), lte(orders.seq, throughSeq), ofShard(shard)),
		);
	return new Map(rows.map((row) => [row.seq, row.version]));
}

/** One shard of a sale with several: its orders are those whose seq it numbered (see `Stock.numberOrders`). */
export interface ShardOfSale {
	shard: number;
	shards: number;
}

/** The condition that keeps a shard's orders; none for a sale of one object. */
function ofShard(shard: ShardOfSale | null) {
	return shard ? sql`(${orders.seq} - 1) % ${shard.shards} = ${shard.shard}` : undefined;
}
