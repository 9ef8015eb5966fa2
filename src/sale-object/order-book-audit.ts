import type { OrderMessage } from "../domain/order";
import type { WakeAt } from "./alarm-scheduler";

/** How many orders, and the sum of their versions: equal on both sides exactly when nothing is missing. */
export interface OrderTally {
	orders: number;
	versions: number;
}

/** What the order book (D1) has recorded of this sale. */
export interface RecordedOrders {
	tally(): Promise<OrderTally>;
	/** The version recorded of each order with a seq in `(afterSeq, throughSeq]`, by seq. */
	versions(afterSeq: number, throughSeq: number): Promise<Map<number, number>>;
}

/** What the audit needs from the object around it. */
export interface OrderBookAuditHost {
	readonly sql: SqlStorage;
	/** The object's orders after `afterSeq`, in seq order, at their current versions. */
	orders(afterSeq: number, limit: number): OrderMessage[];
	readonly recorded: RecordedOrders;
	/** Puts these orders back in the outbox and sends them; returns how many went back. */
	resend(seqs: number[]): Promise<number>;
	wakeAt: WakeAt;
	/** How long after orders leave for the queue the order book is compared with the object. */
	readonly intervalMs: number;
}

/** How long after orders leave for the queue the order book is audited, unless `ORDER_BOOK_AUDIT_SECONDS` says otherwise. */
const AUDIT_AFTER_SECONDS = 30;

/** The audit's `intervalMs` as the Worker's configuration sets it. */
export function auditIntervalMs(env: Pick<Env, "ORDER_BOOK_AUDIT_SECONDS">): number {
	const seconds = Number(env.ORDER_BOOK_AUDIT_SECONDS);
	return (Number.isFinite(seconds) && seconds > 0 ? seconds : AUDIT_AFTER_SECONDS) * 1000;
}

/** Orders compared per D1 read: one range read on the sale's seq index, whatever the page holds. */
const PAGE = 1_000;
/**
 * Pages compared per run. A run costs one D1 read for the tally, one per
 * page, and one queue send per 100 orders sent again: at most 56
 * subrequests, far below the 1,000 an invocation may make.
 */
const PAGES_PER_RUN = 5;
/** While pages remain to compare, the next run comes this soon. */
const NEXT_PAGE_MS = 1_000;

/** An audit under way: when it runs next, and the last seq compared so far in this pass. */
interface Pending {
	dueAt: number;
	afterSeq: number;
}

/**
 * Keeps the order book complete without anyone pressing a button, in table
 * `order_book_audit` (a row only while an audit is pending). Orders leave
 * the outbox once the queue has taken them, but a queue can still lose
 * them (a local runtime killed mid-rush drops what is in flight). So
 * whenever orders leave for the queue, an audit is due `intervalMs` later:
 * it compares what D1 has recorded of this sale with the object's own
 * orders, cheaply first (count and sum of versions, one query), then page
 * by page from where the last run stopped, and puts every order D1 lacks,
 * or holds at a lower version, back in the outbox. It runs again until D1
 * has everything, then stops scheduling itself.
 */
export class OrderBookAudit {
	readonly #host: OrderBookAuditHost;
	/** Mirrors `order_book_audit`; null while nothing is pending. */
	#pending: Pending | null = null;

	constructor(host: OrderBookAuditHost) {
		this.#host = host;
	}

	/** After the object (re)starts: an audit that was pending asks for the alarm again. */
	resume(): void {
		this.#pending =
			this.#host.sql
				.exec<{ dueAt: number; afterSeq: number }>(
					"SELECT due_at AS dueAt, after_seq AS afterSeq FROM order_book_audit",
				)
				.toArray()[0] ?? null;
		if (this.#pending) this.#host.wakeAt(this.#pending.dueAt);
	}

	/**
	 * The queue has taken orders: has an audit due after the interval,
	 * unless one is pending already. Called before the outbox deletes them,
	 * so the audit is in storage no later than their leaving.
	 */
	expect(): void {
		if (this.#pending) return;
		this.#save({ dueAt: Date.now() + this.#host.intervalMs, afterSeq: 0 });
	}

	/**
	 * The alarm's work, for the alarm due by `dueBy`. If D1 cannot be read
	 * now, it tries again after the interval. The next run is counted from
	 * the alarm's time, so a run of alarms reaches every later deadline in
	 * order (holds due after the next audit included) whatever the clock says.
	 */
	async run(dueBy: number): Promise<void> {
		if (!this.#pending) return;
		const now = Math.max(Date.now(), dueBy);
		try {
			await this.compare(now);
		} catch (error) {
			console.error(JSON.stringify({ event: "order_book_audit_failed", error: String(error) }));
			this.#save({ dueAt: now + this.#host.intervalMs, afterSeq: this.#pending?.afterSeq ?? 0 });
		}
	}

	/**
	 * One bounded run: sends again what the order book lacks among the next
	 * PAGES_PER_RUN pages and returns how many orders went again. Unless D1
	 * has everything, the audit stays pending and the alarm carries on where
	 * this run stopped, so a sale of any size is covered in bounded runs.
	 */
	async compare(now = Date.now()): Promise<number> {
		const recorded = await this.#host.recorded.tally();
		const own = this.#ownTally();
		if (recorded.orders === own.orders && recorded.versions === own.versions) {
			this.#clear();
			return 0;
		}
		let afterSeq = this.#pending?.afterSeq ?? 0;
		let resent = 0;
		for (let page = 0; page < PAGES_PER_RUN; page++) {
			const orders = this.#host.orders(afterSeq, PAGE);
			const last = orders.at(-1);
			if (!last) {
				afterSeq = 0;
				break;
			}
			const versions = await this.#host.recorded.versions(afterSeq, last.seq);
			const lacking = orders
				.filter((order) => (versions.get(order.seq) ?? -1) < order.version)
				.map((order) => order.seq);
			if (lacking.length > 0) resent += await this.#host.resend(lacking);
			afterSeq = orders.length < PAGE ? 0 : last.seq;
			if (afterSeq === 0) break;
		}
		// A finished pass checks again after the interval, once what went again has landed.
		this.#save({ dueAt: afterSeq === 0 ? now + this.#host.intervalMs : now + NEXT_PAGE_MS, afterSeq });
		return resent;
	}

	/** The object's own figures, read page by page from its storage. */
	#ownTally(): OrderTally {
		const tally = { orders: 0, versions: 0 };
		for (let afterSeq = 0; ; ) {
			const orders = this.#host.orders(afterSeq, PAGE);
			for (const order of orders) {
				tally.orders += 1;
				tally.versions += order.version;
			}
			const last = orders.at(-1);
			if (!last || orders.length < PAGE) return tally;
			afterSeq = last.seq;
		}
	}

	#save(pending: Pending): void {
		this.#host.sql.exec(
			"INSERT OR REPLACE INTO order_book_audit (singleton, due_at, after_seq) VALUES (1, ?, ?)",
			pending.dueAt,
			pending.afterSeq,
		);
		this.#pending = pending;
		this.#host.wakeAt(pending.dueAt);
	}

	#clear(): void {
		this.#host.sql.exec("DELETE FROM order_book_audit");
		this.#pending = null;
	}
}
