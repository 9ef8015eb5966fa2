import type { OrderMessage, OrderQueueBody, OrderStatus } from "../domain/order";
import { type OrderBookDb, orderBookDb } from "./queries";

/**
 * The columns one insert writes, each with its place in a row's JSON array.
 * Columns with a default take it when a message lacks the field, as
 * messages from before variants and versions do.
 */
const COLUMNS: readonly [column: string, defaultSql?: string][] = [
	["id"],
	["sale_id"],
	["seq"],
	["user_id"],
	["variant_id", "'default'"],
	["quantity"],
	["amount_cents", "0"],
	["currency", "''"],
	["status"],
	["created_at"],
	["hold_expires_at"],
	["paid_at"],
	["version", "0"],
];

/**
 * D1 binds at most 100 parameters per statement, so a row of 13 bound
 * columns allows 7 rows a statement. The rows go instead as one JSON array
 * in one parameter, which `json_each` unpacks: one statement for thousands
 * of rows. A string parameter may hold 2,000,000 bytes
 * (https://developers.cloudflare.com/d1/platform/limits/); this many
 * characters stay under it even if every one took three bytes in UTF-8.
 */
const MAX_JSON_CHARS = 600_000;

/** Columns an order's newer version replaces; the rest never change once an order exists. */
const UPDATED = ["status", "hold_expires_at", "paid_at", "version", "variant_id", "amount_cents", "currency"];

/**
 * One upsert of a JSON array of rows. `WHERE true` is SQLite's documented
 * way to let an upsert follow INSERT … SELECT (https://sqlite.org/lang_upsert.html,
 * "parsing ambiguity"); the version rule is the upsert's own WHERE.
 */
const INSERT = [
	`INSERT INTO orders (${COLUMNS.map(([column]) => column).join(", ")})`,
	`SELECT ${COLUMNS.map(([, defaultSql], i) =>
		defaultSql === undefined
			? `json_extract(value, '$[${i}]')`
			: `coalesce(json_extract(value, '$[${i}]'), ${defaultSql})`,
	).join(", ")}`,
	"FROM json_each(?) WHERE true",
	`ON CONFLICT (id) DO UPDATE SET ${UPDATED.map((column) => `${column} = excluded.${column}`).join(", ")}`,
	"WHERE excluded.version > orders.version",
].join(" ");

/**
 * Writes orders to the order book, in one D1 batch of as few statements as
 * the limits allow (one per 600,000 characters of rows). Delivery is at
 * least once and in any order, so an order is inserted once and afterwards
 * only ever replaced by a higher version of itself: a redelivered or late
 * message changes nothing. Rows written before versions lack the columns
 * the update restores; the sale's object has them.
 */
export async function recordOrders(db: OrderBookDb, batch: readonly OrderMessage[]): Promise<void> {
	const arrays: string[] = [];
	let rows: string[] = [];
	let chars = 0;
	for (const order of newest(batch)) {
		const row = JSON.stringify(rowOf(order));
		if (rows.length > 0 && chars + row.length + 1 > MAX_JSON_CHARS) {
			arrays.push(`[${rows.join(",")}]`);
			rows = [];
			chars = 0;
		}
		rows.push(row);
		chars += row.length + 1;
	}
	if (rows.length > 0) arrays.push(`[${rows.join(",")}]`);
	if (arrays.length === 0) return;
	// drizzle's batch cannot carry a raw statement with a bound parameter, so
	// this one goes to its D1 client directly: still one D1 batch per call.
	const d1 = db.$client;
	await d1.batch(arrays.map((json) => d1.prepare(INSERT).bind(json)));
}

/**
 * Queue consumer: every order of the delivery, whether packed or alone, in
 * one D1 batch, then an explicit ack per message whose orders are all in
 * the order book. A message with an order the order book cannot take (a
 * malformed one, or a row D1 refuses) is retried and, after `max_retries`,
 * lands whole in the dead-letter queue; the other orders of the delivery,
 * and the other orders of its pack, are written and stay written. If D1
 * fails as a whole, every message is retried rather than acked unrecorded.
 */
export async function consumeOrders(
	batch: MessageBatch<OrderQueueBody>,
	env: Pick<Env, "DB">,
): Promise<void> {
	const bad = new Set<number>();
	const writes = new Map<string, Write>();
	batch.messages.forEach((message, index) => {
		const orders = ordersOf(message.body);
		if (orders === null) bad.add(index);
		for (const order of orders ?? []) {
			if (!isRecordable(order)) {
				bad.add(index);
				continue;
			}
			const write = writes.get(order.id);
			if (!write) writes.set(order.id, { order, messages: [index] });
			else {
				write.messages.push(index);
				if (order.version > write.order.version) write.order = order;
			}
		}
	});
	if (bad.size > 0) {
		console.error(JSON.stringify({ event: "order_book_malformed_messages", count: bad.size }));
	}

	const refused = await recordIsolating(orderBookDb(env.DB), [...writes.values()]);
	for (const write of refused) for (const index of write.messages) bad.add(index);
	batch.messages.forEach((message, index) => {
		if (bad.has(index)) message.retry({ delaySeconds: retryDelay(message.attempts) });
		else message.ack();
	});
}

/** One order to write and the messages (by index in the delivery) that carried it. */
interface Write {
	order: OrderMessage;
	messages: number[];
}

/**
 * Extra writes one delivery may spend finding the orders D1 refuses. One
 * refused row among n costs about 2·log2(n) writes (28 for 16,000 rows),
 * far from the 1,000 queries a Worker invocation may make.
 */
const ISOLATION_BUDGET = 32;

/**
 * Writes every order; if D1 refuses the whole, halves the refused group
 * until the row it refuses stands alone, so one bad row does not hold back
 * a delivery of good ones. When both halves fail, D1 itself is failing (or
 * several rows are bad): the whole group is given back for a retry at once,
 * so an outage costs three writes, not one per order. Answers the orders
 * not written.
 */
async function recordIsolating(db: OrderBookDb, writes: Write[]): Promise<Write[]> {
	if (writes.length === 0 || (await written(db, writes))) return [];
	let budget = ISOLATION_BUDGET;
	let failing = writes;
	for (;;) {
		if (failing.length === 1 || budget < 2) return failing;
		budget -= 2;
		const middle = Math.ceil(failing.length / 2);
		const halves = [failing.slice(0, middle), failing.slice(middle)] as const;
		const [first, second] = [await written(db, halves[0]), await written(db, halves[1])];
		if (first && second) return [];
		if (!first && !second) return failing;
		failing = first ? halves[1] : halves[0];
	}
}

/** Writes the orders in one D1 batch; false if D1 refused it (and logs why). */
async function written(db: OrderBookDb, writes: readonly Write[]): Promise<boolean> {
	try {
		await recordOrders(
			db,
			writes.map((write) => write.order),
		);
		return true;
	} catch (error) {
		console.error(
			JSON.stringify({ event: "order_book_write_failed", count: writes.length, error: String(error) }),
		);
		return false;
	}
}

/**
 * The orders a message carries, alone or packed, or null if its body is
 * neither an order nor a pack of them.
 */
function ordersOf(body: unknown): readonly OrderMessage[] | null {
	if (typeof body !== "object" || body === null || Array.isArray(body)) return null;
	if (!("orders" in body)) return [body as OrderMessage];
	return Array.isArray(body.orders) && body.orders.length > 0 ? body.orders : null;
}

/** The highest version of each order in the batch, in the order first seen. */
function newest(batch: readonly OrderMessage[]): Iterable<OrderMessage> {
	const byId = new Map<string, OrderMessage>();
	for (const order of batch) {
		const seen = byId.get(order.id);
		if (!seen || (order.version ?? 0) > (seen.version ?? 0)) byId.set(order.id, order);
	}
	return byId.values();
}

function rowOf(order: OrderMessage): unknown[] {
	return [
		order.id,
		order.saleId,
		order.seq,
		order.userId,
		order.variantId ?? null,
		order.quantity,
		order.amountCents ?? null,
		order.currency ?? null,
		order.status,
		order.createdAt,
		order.holdExpiresAt ?? null,
		order.paidAt ?? null,
		order.version ?? null,
	];
}

const STATUSES: ReadonlySet<OrderStatus> = new Set(["held", "confirmed", "expired", "cancelled"]);

/**
 * Whether an order has every field the order book cannot do without. Orders
 * come from a sale's object, so one that lacks them is damage in transit
 * or a bug: it is kept out of the insert, where it would fail every good
 * row beside it, and its message goes to the dead-letter queue.
 */
function isRecordable(order: OrderMessage): boolean {
	return (
		typeof order === "object" &&
		order !== null &&
		typeof order.id === "string" &&
		typeof order.saleId === "string" &&
		typeof order.userId === "string" &&
		Number.isInteger(order.seq) &&
		Number.isInteger(order.quantity) &&
		Number.isFinite(order.createdAt) &&
		STATUSES.has(order.status)
	);
}

function retryDelay(attempts: number): number {
	return Math.min(2 ** attempts, 60);
}
