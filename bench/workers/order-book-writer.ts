import { sql } from "drizzle-orm";
import { orders as ordersTable } from "../../src/db/schema";
import type { OrderMessage, OrderQueueBody } from "../../src/domain/order";
import { consumeOrders } from "../../src/order-book/consumer";
import { orderBookDb } from "../../src/order-book/queries";

/**
 * `POST /write?shape=…&orders=…&perMessage=…`: builds a sale's orders, cuts
 * them into queue messages of `perMessage` orders and deliveries of 100
 * messages (the consumer's max_batch_size), and times writing them all to
 * D1, one delivery after another as one consumer does. Shapes:
 *
 * - `before-packs`: the consumer as it was before packs, one order a message
 *   and 7 rows per insert (13 bound columns, D1's 100-parameter limit), kept
 *   here as the yardstick.
 * - `lone`: today's consumer with one order a message (old messages, quiet sales).
 * - `packed`: today's consumer with packs of `perMessage` orders.
 *
 * The clock is the Worker's own, which moves across I/O: only the D1 calls
 * and the consumer's work between them are timed, not building the orders.
 */
interface WriterEnv {
	DB: D1Database;
}

const MESSAGES_PER_DELIVERY = 100;

export default {
	async fetch(request, env) {
		const url = new URL(request.url);
		const shape = url.searchParams.get("shape") ?? "packed";
		const count = Number(url.searchParams.get("orders") ?? 10_000);
		const perMessage = shape === "packed" ? Number(url.searchParams.get("perMessage") ?? 150) : 1;
		const saleId = `bench-${crypto.randomUUID()}`;
		const all = orders(saleId, count);
		const bodies: OrderQueueBody[] = [];
		for (let i = 0; i < all.length; i += perMessage) {
			const slice = all.slice(i, i + perMessage);
			bodies.push(slice.length === 1 && slice[0] ? slice[0] : { orders: slice });
		}
		let acked = 0;
		let retried = 0;
		let deliveries = 0;
		const start = performance.now();
		for (let i = 0; i < bodies.length; i += MESSAGES_PER_DELIVERY) {
			const delivery = bodies.slice(i, i + MESSAGES_PER_DELIVERY);
			deliveries++;
			if (shape === "before-packs") {
				await recordBeforePacks(env.DB, delivery as OrderMessage[]);
				acked += delivery.length;
				continue;
			}
			await consumeOrders(
				batchOf(delivery, {
					ack: () => acked++,
					retry: () => retried++,
				}),
				env,
			);
		}
		const ms = performance.now() - start;
		const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM orders WHERE sale_id = ?")
			.bind(saleId)
			.first<{ n: number }>();
		return Response.json({
			shape,
			perMessage,
			orders: count,
			rows: row?.n ?? 0,
			ms,
			deliveries,
			acked,
			retried,
		});
	},
} satisfies ExportedHandler<WriterEnv>;

function orders(saleId: string, count: number): OrderMessage[] {
	const now = Date.now();
	return Array.from({ length: count }, (_, i) => ({
		id: crypto.randomUUID(),
		saleId,
		userId: `buyer-${i}-${crypto.randomUUID()}`,
		variantId: "default",
		quantity: 1,
		amountCents: 12_900,
		currency: "USD",
		status: "confirmed",
		createdAt: now + i,
		holdExpiresAt: null,
		paidAt: null,
		seq: i + 1,
		version: 1,
	}));
}

/** A delivery as the queue hands it to the consumer, counting acks and retries. */
function batchOf(
	bodies: readonly OrderQueueBody[],
	outcome: { ack: () => void; retry: () => void },
): MessageBatch<OrderQueueBody> {
	const messages = bodies.map((body, i) => ({
		id: `m${i}`,
		timestamp: new Date(),
		body,
		attempts: 1,
		ack: outcome.ack,
		retry: outcome.retry,
	}));
	return {
		messages,
		queue: "doorbuster-orders",
		metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } },
		ackAll: () => {
			for (const message of messages) message.ack();
		},
		retryAll: () => {
			for (const message of messages) message.retry();
		},
	};
}

/** The consumer's write before packs (commit c801fde): 7 rows per insert, one D1 batch per delivery. */
async function recordBeforePacks(d1: D1Database, batch: readonly OrderMessage[]): Promise<void> {
	const db = orderBookDb(d1);
	const rows = batch.map((order) => ({ ...order }));
	const inserts = [];
	for (let i = 0; i < rows.length; i += 7) {
		inserts.push(
			db
				.insert(ordersTable)
				.values(rows.slice(i, i + 7))
				.onConflictDoUpdate({
					target: ordersTable.id,
					set: {
						status: sql`excluded.status`,
						holdExpiresAt: sql`excluded.hold_expires_at`,
						paidAt: sql`excluded.paid_at`,
						version: sql`excluded.version`,
						variantId: sql`excluded.variant_id`,
						amountCents: sql`excluded.amount_cents`,
						currency: sql`excluded.currency`,
					},
					setWhere: sql`excluded.version > ${ordersTable.version}`,
				}),
		);
	}
	const [first, ...rest] = inserts;
	if (first) await db.batch([first, ...rest]);
}
