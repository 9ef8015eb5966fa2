import { and, asc, count, eq, gt, inArray } from "drizzle-orm";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import { orders } from "../db/schema";
import type { Order } from "../domain/order";

/** The order book: each sale's orders in D1, as the queue delivers them. */
export type OrderBookDb = DrizzleD1Database;

export function orderBookDb(d1: D1Database): OrderBookDb {
	return drizzle(d1);
}

/** How many orders the order book holds for each sale that has any. */
export async function countRecordedBySale(db: OrderBookDb): Promise<Map<string, number>> {
	const rows = await db.select({ saleId: orders.saleId, n: count() }).from(orders).groupBy(orders.saleId);
	return new Map(rows.map((row) => [row.saleId, row.n]));
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

/** Which of these order ids the order book already holds. */
export async function recordedIds(db: OrderBookDb, ids: readonly string[]): Promise<Set<string>> {
	if (ids.length === 0) return new Set();
	const rows = await db
		.select({ id: orders.id })
		.from(orders)
		.where(inArray(orders.id, [...ids]));
	return new Set(rows.map((row) => row.id));
}
