import type { Payment } from "../payments/payment";
import { type ExpireOutcome, SESSION_LIFETIME_AFTER_HOLD_SECONDS } from "../payments/stripe-payments";
import type { WakeAt } from "./alarm-scheduler";

/**
 * How long past its end a hold waits for the provider to answer that its
 * session is expired (or paid) before it expires anyway (shared/API.md
 * "Payment providers": 5 more minutes). A payment that lands later is refunded.
 */
export const EXPIRY_GRACE_MS = 5 * 60_000;
/** Sessions closed per alarm run, asked in parallel and within Stripe's rate limits; the rest follow in the next run. */
const CLOSE_BATCH = 20;
/** The first retry of a session Stripe could not be told to expire waits this long, doubling after each failure… */
const FIRST_RETRY_MS = 2_000;
/** …up to this, so a few tries fit in the grace period. */
const MAX_RETRY_MS = 60_000;

/** What the checkouts need from the object around them. */
export interface CheckoutsHost {
	/** Asks the provider to expire a session, so nobody can pay through it any more. */
	expireSession(sessionId: string): Promise<ExpireOutcome>;
	/** The provider closed the order's session unpaid: the order, if still held, expires and its units return. */
	closedUnpaid(seq: number): void;
	/** The provider says the session was paid before it could be closed: applied as its event would be. */
	paid(payment: Payment): void;
	/** Stock's own deadline queries, used as they are while no hold waits for the provider. */
	earliestHoldExpiry(): number | null;
	dueHolds(dueBy: number, limit: number): number[];
	wakeAt: WakeAt;
}

/** The checkout kept with an order. */
export interface KeptCheckout {
	/** The order's seq; null for a checkout started for an order that had ended by then. */
	seq: number | null;
	sessionId: string;
	/** The payment intent that confirmed the order, once one did. */
	paidIntent: string | null;
}

/**
 * The Checkout Session kept with each order that started paying, in table
 * `checkouts` (shared/API.md "Payment providers"), and its closing. Stripe
 * keeps a session payable for at least 30 minutes, longer than most holds,
 * so at a hold's end the session is expired through the API before the
 * order expires: if Stripe answers that it was paid, the order is confirmed
 * instead. Until Stripe answers, and at most `EXPIRY_GRACE_MS`, the hold
 * stays and its units stay held; this is why the holds' deadline queries go
 * through here. Those two queries read stock.ts's `orders` (and only read
 * it): only a join finds, in one indexed query, the due holds that are not
 * waiting for the provider. A cancelled order's session is closed the same
 * way, at once.
 */
export class Checkouts {
	readonly #sql: SqlStorage;
	readonly #host: CheckoutsHost;

	constructor(sql: SqlStorage, host: CheckoutsHost) {
		this.#sql = sql;
		this.#host = host;
	}

	/** After the object (re)starts: asks the alarm for the earliest session to close. */
	resume(): void {
		const next = this.#sql
			.exec<{ at: number | null }>("SELECT MIN(close_at) AS at FROM checkouts WHERE close_at IS NOT NULL")
			.one().at;
		if (next !== null) this.#host.wakeAt(next);
	}

	/**
	 * Keeps a session with its order; the first one kept stays (a retried
	 * checkout gets the same session from Stripe). A held order's session is
	 * closed at the hold's end; one for an order that is no longer held is
	 * closed at once. Answers the session kept.
	 */
	keep(
		orderId: string,
		seq: number | null,
		sessionId: string,
		holdExpiresAt: number | null,
		now: number,
	): string {
		const closeAt = holdExpiresAt ?? now;
		this.#sql.exec(
			`INSERT OR IGNORE INTO checkouts (order_id, order_seq, session_id, session_ends_at, grace_until, close_at)
			 VALUES (?, ?, ?, ?, ?, ?)`,
			orderId,
			holdExpiresAt === null ? null : seq,
			sessionId,
			closeAt + SESSION_LIFETIME_AFTER_HOLD_SECONDS * 1000,
			closeAt + EXPIRY_GRACE_MS,
			closeAt,
		);
		const kept = this.#sql
			.exec<{ sessionId: string; closeAt: number | null }>(
				"SELECT session_id AS sessionId, close_at AS closeAt FROM checkouts WHERE order_id = ?",
				orderId,
			)
			.one();
		if (kept.closeAt !== null) this.#host.wakeAt(kept.closeAt);
		return kept.sessionId;
	}

	/** The checkout kept with an order, or null if none was. */
	of(orderId: string): KeptCheckout | null {
		return (
			this.#sql
				.exec<{ seq: number | null; sessionId: string; paidIntent: string | null }>(
					"SELECT order_seq AS seq, session_id AS sessionId, paid_intent AS paidIntent FROM checkouts WHERE order_id = ?",
					orderId,
				)
				.toArray()[0] ?? null
		);
	}

	/** Whether this payment intent confirmed one of the sale's orders (and so must never be refunded). */
	confirmedBy(paymentIntentId: string): boolean {
		return (
			this.#sql.exec("SELECT 1 FROM checkouts WHERE paid_intent = ?", paymentIntentId).toArray().length > 0
		);
	}

	/** The order was confirmed by this payment: its session is complete, nothing is left to close. */
	paid(orderId: string, paymentIntentId: string): void {
		this.#sql.exec(
			"UPDATE checkouts SET paid_intent = ?, close_at = NULL WHERE order_id = ?",
			paymentIntentId,
			orderId,
		);
	}

	/** The order was cancelled: its session, if still open, is closed now. */
	closeNow(seq: number, now: number): void {
		const closing = this.#sql
			.exec(
				"UPDATE checkouts SET close_at = ? WHERE order_seq = ? AND close_at IS NOT NULL RETURNING 1",
				now,
				seq,
			)
			.toArray();
		if (closing.length > 0) this.#host.wakeAt(now);
	}

	/**
	 * When the earliest hold ends, counting a hold whose session is still to
	 * be closed as ending when its grace does (until then the alarm's work
	 * here decides it). With no such hold, it is the stock's own query.
	 */
	earliestHoldExpiry(): number | null {
		if (!this.#anyToClose()) return this.#host.earliestHoldExpiry();
		// Two queries, not one MIN over every held order (this runs after each
		// cancel and expiry batch): the first walks orders_held_by_expiry and stops
		// at the first hold not waiting; the second reads only the sessions to close
		// (CROSS JOIN keeps SQLite from driving it from every held order instead).
		const notWaiting = this.#sql
			.exec<{ at: number }>(
				`SELECT o.hold_expires_at AS at FROM orders AS o
				 WHERE o.status = 'held' AND o.hold_expires_at IS NOT NULL
				   AND NOT EXISTS (SELECT 1 FROM checkouts AS c WHERE c.order_seq = o.seq AND c.close_at IS NOT NULL)
				 ORDER BY o.hold_expires_at LIMIT 1`,
			)
			.toArray()[0]?.at;
		const waiting = this.#sql
			.exec<{ at: number | null }>(
				`SELECT MIN(c.grace_until) AS at FROM checkouts AS c CROSS JOIN orders AS o ON o.seq = c.order_seq
				 WHERE c.close_at IS NOT NULL AND o.status = 'held'`,
			)
			.one().at;
		if (notWaiting === undefined) return waiting;
		return waiting === null ? notWaiting : Math.min(notWaiting, waiting);
	}

	/**
	 * Seqs of held orders due by `dueBy`, earliest first, leaving out those
	 * whose session is still to be closed, until their grace ends.
	 */
	dueHolds(dueBy: number, limit: number): number[] {
		if (!this.#anyToClose()) return this.#host.dueHolds(dueBy, limit);
		return this.#sql
			.exec<{ seq: number }>(
				`SELECT o.seq FROM orders AS o
				 WHERE o.status = 'held' AND o.hold_expires_at <= ?1
				   AND NOT EXISTS (SELECT 1 FROM checkouts AS c
				                   WHERE c.order_seq = o.seq AND c.close_at IS NOT NULL AND c.grace_until > ?1)
				 ORDER BY o.hold_expires_at LIMIT ?2`,
				dueBy,
				limit,
			)
			.toArray()
			.map((row) => row.seq);
	}

	/**
	 * The alarm's work: asks Stripe to expire each session due to close by
	 * `dueBy` and applies its answer. Stripe unreachable: tried again with a
	 * growing backoff until the session's own end, after which nobody can
	 * pay through it; meanwhile the hold expires when its grace ends.
	 */
	async run(dueBy: number): Promise<void> {
		const due = this.#sql
			.exec<{ orderId: string; seq: number | null; sessionId: string; endsAt: number; failures: number }>(
				`SELECT order_id AS orderId, order_seq AS seq, session_id AS sessionId, session_ends_at AS endsAt, failures
				 FROM checkouts WHERE close_at <= ? ORDER BY close_at LIMIT ?`,
				dueBy,
				CLOSE_BATCH,
			)
			.toArray();
		// Asked all at once: holds end in bursts (a drop's first minute, a draw's
		// winners), and one call at a time would let the grace run out first.
		const answers = await Promise.all(due.map((row) => this.#host.expireSession(row.sessionId)));
		for (const [index, row] of due.entries()) {
			const answer = answers[index];
			if (!answer) continue;
			// Other requests ran while Stripe answered: a webhook may have confirmed the order.
			const stillToClose = this.#sql
				.exec("SELECT 1 FROM checkouts WHERE order_id = ? AND close_at IS NOT NULL", row.orderId)
				.toArray().length;
			if (!stillToClose) continue;
			if (answer.outcome === "unreachable") {
				this.#retry(row, answer.detail, dueBy);
				continue;
			}
			this.#sql.exec("UPDATE checkouts SET close_at = NULL WHERE order_id = ?", row.orderId);
			if (answer.outcome === "complete") this.#host.paid(answer.payment);
			// Closed, or paid but unable to confirm the order (refunded): nobody can
			// pay for it any more, so a hold still standing ends now, not at its grace.
			if (row.seq !== null) this.#host.closedUnpaid(row.seq);
		}
		this.resume();
	}

	/** Backs off from the time the alarm stands for (it may run early, as a test's or a platform retry's does). */
	#retry(row: { orderId: string; endsAt: number; failures: number }, detail: string, dueBy: number): void {
		const now = Math.max(Date.now(), dueBy);
		console.warn(JSON.stringify({ event: "checkout_expire_retry", orderId: row.orderId, detail }));
		// Past its own end the session is closed by Stripe: nothing is left to do.
		const retryAt =
			now >= row.endsAt
				? null
				: Math.min(row.endsAt, now + Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** row.failures));
		this.#sql.exec(
			"UPDATE checkouts SET close_at = ?, failures = failures + 1 WHERE order_id = ?",
			retryAt,
			row.orderId,
		);
	}

	#anyToClose(): boolean {
		return this.#sql.exec("SELECT 1 FROM checkouts WHERE close_at IS NOT NULL LIMIT 1").toArray().length > 0;
	}
}
