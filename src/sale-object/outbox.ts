import type { OrderMessage, OrderQueueBody } from "../domain/order";
import type { WakeAt } from "./alarm-scheduler";

/** What the outbox needs from the object around it. */
export interface OutboxHost {
	readonly sql: SqlStorage;
	/** The orders with these seqs, in seq order, as the queue carries them. */
	messages(seqs: readonly number[]): OrderMessage[];
	/** Puts one batch of messages on the order queue. */
	send(bodies: OrderQueueBody[]): Promise<void>;
	wakeAt: WakeAt;
}

/** How long after a commit the alarm checks that the order left the outbox. */
const OUTBOX_RETRY_MS = 2_000;
/** Longest wait between retries while the queue keeps failing. */
const OUTBOX_MAX_RETRY_MS = 60_000;
/** Orders read from the outbox for one send; those that do not fit its bytes wait for the next. */
const ORDERS_PER_SEND = 1_000;
/**
 * Queues take at most 128 KB per message, up to about 100 bytes of it the
 * queue's own, and 100 messages or 256 KB per sendBatch, where 1 KB is 1,000
 * bytes (https://developers.cloudflare.com/queues/platform/limits/). Orders
 * are counted as their JSON, and the budgets keep a wide margin below the
 * limits for the queue's own encoding of the same values.
 */
export const PACK_MAX_BYTES = 50_000;
export const SEND_MAX_BYTES = 200_000;
/**
 * A send that has not answered in this time counts as failed, so one
 * stalled call cannot keep every later flush waiting behind it. Its orders
 * stay in the outbox and go again; if the stalled call did deliver them
 * after all, the order book records each order once.
 */
export const SEND_TIMEOUT_MS = 10_000;

/**
 * Orders on their way to the order book, in table `outbox` (by seq), and
 * the backoff while the queue fails, in table `outbox_retry` (a row only
 * while sends fail). An order enters the outbox in the transaction that
 * creates it and leaves once the queue has taken it: at least once, never
 * lost.
 */
export class Outbox {
	readonly #host: OutboxHost;
	/** True while one flush loop runs; orders committed meanwhile leave with its next batch. */
	#sending = false;
	/** Orders queued again while a batch was on its way: they stay in the outbox for the next one. */
	readonly #changedWhileSending = new Set<number>();
	/** Mirrors `outbox_retry`: consecutive failed sends and when to try again; null while sends succeed. */
	#retry: { failures: number; retryAt: number } | null = null;

	constructor(host: OutboxHost) {
		this.#host = host;
	}

	/**
	 * After the object (re)starts: reads the backoff, and has orders still
	 * waiting sent as soon as the object is up, or when the backoff says.
	 */
	resume(): void {
		this.#retry =
			this.#host.sql
				.exec<{ failures: number; retryAt: number }>("SELECT failures, retry_at AS retryAt FROM outbox_retry")
				.toArray()[0] ?? null;
		if (this.#size() > 0) this.#host.wakeAt(this.#retry?.retryAt ?? Date.now());
	}

	/**
	 * Queues an order for the order book; called inside the transaction that
	 * creates or changes it. The queue carries the order's current row, so an
	 * order already waiting here needs nothing more, unless a send of it is
	 * under way: then it stays for the next batch, which carries the change.
	 */
	add(seq: number): void {
		this.#host.sql.exec("INSERT OR IGNORE INTO outbox (seq) VALUES (?)", seq);
		if (this.#sending) this.#changedWhileSending.add(seq);
	}

	/**
	 * After the transaction that added orders commits: sends them now, and has
	 * the alarm make sure they left. Asking for the alarm is a storage write,
	 * so the output gate holds the reply until it is durable: every order a
	 * buyer was told about is either sent or has an alarm that will send it.
	 */
	committed(): void {
		this.#host.wakeAt(this.#nextAttemptAt());
		void this.flush();
	}

	/** Puts orders back in the outbox and sends them again; returns how many went back. */
	async resend(seqs: readonly number[]): Promise<number> {
		let queued = 0;
		for (const seq of seqs) {
			queued += this.#host.sql.exec("INSERT OR IGNORE INTO outbox (seq) VALUES (?)", seq).rowsWritten;
			if (this.#sending) this.#changedWhileSending.add(seq);
		}
		if (queued > 0) {
			this.#host.wakeAt(this.#nextAttemptAt());
			await this.flush();
		}
		return queued;
	}

	/**
	 * Sends the outbox to the queue, a batch at a time, its orders packed
	 * several to a message. While one flush runs, another returns at once:
	 * orders that commit meanwhile pile up and leave together in its next
	 * batch, so the busier the sale, the fuller the packs.
	 */
	async flush(): Promise<void> {
		if (this.#sending) return;
		this.#sending = true;
		try {
			for (;;) {
				const seqs = this.#host.sql
					.exec<{ seq: number }>(`SELECT seq FROM outbox ORDER BY seq LIMIT ${ORDERS_PER_SEND}`)
					.toArray()
					.map((row) => row.seq);
				if (seqs.length === 0) return;
				const orders = this.#host.messages(seqs);
				const { bodies, count } = packOrders(orders);
				await withDeadline(this.#host.send(bodies), SEND_TIMEOUT_MS);
				// Seqs with no order (none are expected) leave with a batch that took every order.
				const packed = count === orders.length ? seqs : orders.slice(0, count).map((order) => order.seq);
				const sent = packed.filter((seq) => !this.#changedWhileSending.has(seq));
				this.#changedWhileSending.clear();
				this.#host.sql.exec(
					"DELETE FROM outbox WHERE seq IN (SELECT value FROM json_each(?))",
					JSON.stringify(sent),
				);
				this.#sent();
			}
		} catch (error) {
			// The rows stay in the outbox; the alarm sends them after the backoff.
			console.error(JSON.stringify({ event: "outbox_send_failed", error: String(error) }));
			this.#failed();
		} finally {
			this.#sending = false;
			this.#changedWhileSending.clear();
		}
	}

	#sent(): void {
		if (!this.#retry) return;
		this.#host.sql.exec("DELETE FROM outbox_retry");
		this.#retry = null;
	}

	/** Waits twice as long after each consecutive failure, up to OUTBOX_MAX_RETRY_MS. */
	#failed(): void {
		const failures = (this.#retry?.failures ?? 0) + 1;
		const retryAt = Date.now() + Math.min(OUTBOX_RETRY_MS * 2 ** failures, OUTBOX_MAX_RETRY_MS);
		this.#host.sql.exec(
			"INSERT OR REPLACE INTO outbox_retry (singleton, failures, retry_at) VALUES (1, ?, ?)",
			failures,
			retryAt,
		);
		this.#retry = { failures, retryAt };
		this.#host.wakeAt(retryAt);
	}

	/** While the queue fails, the backoff decides; otherwise the alarm checks shortly after. */
	#nextAttemptAt(): number {
		return this.#retry?.retryAt ?? Date.now() + OUTBOX_RETRY_MS;
	}

	#size(): number {
		return this.#host.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n;
	}
}

const encoder = new TextEncoder();

/**
 * Packs orders, in the order given, into queue messages for one sendBatch:
 * each message under PACK_MAX_BYTES, all together under SEND_MAX_BYTES.
 * Answers the messages and how many of the orders they carry (at least
 * one); the rest wait for the next send. A pack of one goes as the lone
 * order, the shape every message had before packs.
 */
export function packOrders(orders: readonly OrderMessage[]): { bodies: OrderQueueBody[]; count: number } {
	const packs: OrderMessage[][] = [];
	let pack: OrderMessage[] = [];
	let packBytes = 0;
	let total = 0;
	let count = 0;
	for (const order of orders) {
		const bytes = encoder.encode(JSON.stringify(order)).byteLength + 1;
		if (count > 0 && total + bytes > SEND_MAX_BYTES) break;
		if (pack.length > 0 && packBytes + bytes > PACK_MAX_BYTES) {
			packs.push(pack);
			pack = [];
			packBytes = 0;
		}
		pack.push(order);
		packBytes += bytes;
		total += bytes;
		count++;
	}
	if (pack.length > 0) packs.push(pack);
	return {
		bodies: packs.map((orders) => (orders.length === 1 && orders[0] ? orders[0] : { orders })),
		count,
	};
}

/**
 * Rejects if `promise` has not settled within `ms`. Queue sends take no
 * abort signal, so the wait is bounded here; this is a deadline on one
 * call, not timed work, which goes through the alarm.
 */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const deadline = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
	});
	return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
