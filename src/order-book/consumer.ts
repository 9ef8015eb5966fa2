import { orders } from "../db/schema";
import type { OrderMessage } from "../domain/order";
import { type OrderBookDb, orderBookDb } from "./queries";

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
