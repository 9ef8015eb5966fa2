import { sql } from "drizzle-orm";
import { orders } from "../db/schema";
import type { OrderMessage } from "../domain/order";
import { type OrderBookDb, orderBookDb } from "./queries";

/** D1 binds at most 100 parameters per statement; an order row takes 13. */
const ROWS_PER_INSERT = 7;

/**
 * Writes orders to the order book. Delivery is at least once and in any
 * order, so an order is inserted once and afterwards only ever replaced by
 * a higher version of itself: a redelivered or late message changes nothing.
 */
export async function recordOrders(db: OrderBookDb, batch: readonly OrderMessage[]): Promise<void> {
	const rows = batch.map((order) => ({ ...order }));
	const inserts = [];
	for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
		inserts.push(
			db
				.insert(orders)
				.values(rows.slice(i, i + ROWS_PER_INSERT))
				.onConflictDoUpdate({
					target: orders.id,
					set: {
						status: sql`excluded.status`,
						holdExpiresAt: sql`excluded.hold_expires_at`,
						paidAt: sql`excluded.paid_at`,
						version: sql`excluded.version`,
						// Rows written before versions lack these; the sale's object has them.
						variantId: sql`excluded.variant_id`,
						amountCents: sql`excluded.amount_cents`,
						currency: sql`excluded.currency`,
					},
					setWhere: sql`excluded.version > ${orders.version}`,
				}),
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
