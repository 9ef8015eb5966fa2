import { asc, desc } from "drizzle-orm";
import { sales } from "./db/schema";
import type { OrderBookDb } from "./order-book/queries";

/**
 * The directory of sales: every sale an admin created, in D1. Each sale
 * itself lives in its Durable Object; this is how lists find them.
 */

/** Records a sale once its object has accepted it; creating it again changes nothing. */
export async function registerSale(db: OrderBookDb, saleId: string, now: number): Promise<void> {
	await db.insert(sales).values({ id: saleId, createdAt: now }).onConflictDoNothing();
}

/** Every registered sale, oldest first. */
export async function allSaleIds(db: OrderBookDb): Promise<string[]> {
	const rows = await db.select({ id: sales.id }).from(sales).orderBy(asc(sales.createdAt));
	return rows.map((row) => row.id);
}

/** The `limit` most recently created sales, newest first. */
export async function latestSaleIds(db: OrderBookDb, limit: number): Promise<string[]> {
	const rows = await db.select({ id: sales.id }).from(sales).orderBy(desc(sales.createdAt)).limit(limit);
	return rows.map((row) => row.id);
}
