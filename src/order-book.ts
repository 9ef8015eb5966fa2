import { and, asc, count, eq, gt, inArray } from "drizzle-orm";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import { csvRecord } from "./csv";
import { orders } from "./db/schema";
import type { Order, OrderMessage } from "./domain/order";

export type OrderBookDb = DrizzleD1Database;

export function orderBookDb(d1: D1Database): OrderBookDb {
	return drizzle(d1);
}

/** D1 binds at most 100 parameters per statement; an order row takes 7. */
const ROWS_PER_INSERT = 14;

/**
 * Writes orders to the order book. Delivery is at least once, so an order
 * already there is skipped, never duplicated, whatever order batches come in.
 */
export async function recordOrders(db: OrderBookDb, batch: readonly OrderMessage[]): Promise<void> {
	const rows = batch.map((order) => ({ ...order }));
	const inserts = [];
	for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
		inserts.push(
			db
				.insert(orders)
				.values(rows.slice(i, i + ROWS_PER_INSERT))
				.onConflictDoNothing(),
		);
	}
	const [first, ...rest] = inserts;
	if (first) await db.batch([first, ...rest]);
}

/**
 * Queue consumer: one D1 batch for the whole delivery, then an explicit ack
 * per message. If D1 fails, every message is retried (and, after
 * `max_retries`, lands in the dead-letter queue) rather than acked unrecorded.
 */
export async function consumeOrders(batch: MessageBatch<OrderMessage>, env: Env): Promise<void> {
	try {
		await recordOrders(
			orderBookDb(env.DB),
			batch.messages.map((message) => message.body),
		);
	} catch (error) {
		console.error(
			JSON.stringify({
				event: "order_book_write_failed",
				count: batch.messages.length,
				error: String(error),
			}),
		);
		for (const message of batch.messages) message.retry({ delaySeconds: retryDelay(message.attempts) });
		return;
	}
	for (const message of batch.messages) message.ack();
}

function retryDelay(attempts: number): number {
	return Math.min(2 ** attempts, 60);
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

/** One page of a sale's order book, oldest first; the cursor is the last seq seen. */
export async function readOrderPage(
	db: OrderBookDb,
	saleId: string,
	afterSeq: number,
	limit: number,
): Promise<{ orders: Order[]; nextCursor: string | null }> {
	const rows = await db
		.select()
		.from(orders)
		.where(and(eq(orders.saleId, saleId), gt(orders.seq, afterSeq)))
		.orderBy(asc(orders.seq))
		.limit(limit + 1);
	const page = rows.slice(0, limit);
	const last = page.at(-1);
	return {
		orders: page.map(({ seq: _seq, ...order }) => order),
		nextCursor: rows.length > limit && last ? String(last.seq) : null,
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

const CSV_HEADER = ["order_id", "sale_id", "user_id", "quantity", "status", "created_at"];
/** Orders read from D1 per page while exporting. */
const CSV_PAGE_SIZE = 1_000;

/**
 * A sale's whole order book as CSV, oldest first, read page by page as the
 * client consumes it, so memory stays flat however many orders there are.
 * If D1 fails midway the stream errors rather than ending early, so a
 * truncated export can never pass for a complete one.
 */
export function orderBookCsv(db: OrderBookDb, saleId: string): ReadableStream<Uint8Array> {
	const encoder = new TextEncoder();
	let afterSeq: number | null = null;
	return new ReadableStream({
		start(controller) {
			controller.enqueue(encoder.encode(csvRecord(CSV_HEADER)));
			afterSeq = 0;
		},
		async pull(controller) {
			if (afterSeq === null) return;
			const page = await readOrderPage(db, saleId, afterSeq, CSV_PAGE_SIZE);
			const records = page.orders.map((order) =>
				csvRecord([
					order.id,
					order.saleId,
					order.userId,
					order.quantity,
					order.status,
					new Date(order.createdAt).toISOString(),
				]),
			);
			if (records.length > 0) controller.enqueue(encoder.encode(records.join("")));
			afterSeq = page.nextCursor === null ? null : Number(page.nextCursor);
			if (afterSeq === null) controller.close();
		},
	});
}
