import type { RefundReason } from "../payments/payment-decision";
import type { RefundOutcome } from "../payments/stripe-payments";
import type { WakeAt } from "./alarm-scheduler";

/** What the refunds need from the object around them. */
export interface RefundsHost {
	/** Asks the payment provider to refund this payment intent in full. */
	refund(paymentIntentId: string): Promise<RefundOutcome>;
	wakeAt: WakeAt;
}

/** Refunds sent per alarm run; the rest follow in the next run, so one run never holds the object long. */
const REFUND_BATCH = 20;
/** The first retry of a refund Stripe could not take waits this long, doubling after each failure… */
const FIRST_RETRY_MS = 5_000;
/** …up to this. */
const MAX_RETRY_MS = 15 * 60_000;

/** The refund figures of shared/API.md "Admin additions". */
export interface RefundFigures {
	/** Refunds owed and not yet taken by the provider. */
	refundsPending: number;
	/** Refunds the provider refused for good: an operator settles them by hand. */
	refundsFailed: number;
}

/**
 * Payments to give back in full, in table `refunds` (shared/API.md "Payment
 * providers"): one row per payment intent, so a payment is refunded once
 * however often it is reported, and the intent's id is the provider's
 * idempotency key, so a refund sent twice (the object restarted before it
 * recorded the answer) is still made once. A refund the provider cannot
 * take now stays pending and is sent again from the alarm with a growing
 * backoff; being in storage, it survives restarts and evictions.
 */
export class Refunds {
	readonly #sql: SqlStorage;
	readonly #host: RefundsHost;

	constructor(sql: SqlStorage, host: RefundsHost) {
		this.#sql = sql;
		this.#host = host;
	}

	/** After the object (re)starts: asks the alarm for the earliest pending retry. */
	resume(): void {
		const next = this.#sql
			.exec<{ at: number | null }>("SELECT MIN(retry_at) AS at FROM refunds WHERE state = 'pending'")
			.one().at;
		if (next !== null) this.#host.wakeAt(next);
	}

	/**
	 * Owes a full refund of this payment intent, sent from the alarm right
	 * away; nothing changes if it is owed (or made) already. The caller has
	 * made sure it is not the payment that confirmed an order.
	 */
	add(paymentIntentId: string, orderId: string, reason: RefundReason, now: number): void {
		this.#sql.exec(
			"INSERT OR IGNORE INTO refunds (payment_intent, order_id, reason, retry_at) VALUES (?, ?, ?, ?)",
			paymentIntentId,
			orderId,
			reason,
			now,
		);
		this.#host.wakeAt(now);
	}

	/** How many refunds are pending and how many the provider refused. */
	figures(): RefundFigures {
		const figures = { refundsPending: 0, refundsFailed: 0 };
		for (const { state, n } of this.#sql.exec<{ state: string; n: number }>(
			"SELECT state, COUNT(*) AS n FROM refunds WHERE state IN ('pending', 'failed') GROUP BY state",
		)) {
			if (state === "pending") figures.refundsPending = n;
			else figures.refundsFailed = n;
		}
		return figures;
	}

	/** The alarm's work: sends the refunds due by `dueBy`, records each answer, and asks for the next retry. */
	async run(dueBy: number): Promise<void> {
		const due = this.#sql
			.exec<{ intent: string; failures: number }>(
				`SELECT payment_intent AS intent, failures FROM refunds
				 WHERE state = 'pending' AND retry_at <= ? ORDER BY retry_at LIMIT ?`,
				dueBy,
				REFUND_BATCH,
			)
			.toArray();
		// One at a time: a refund waits on Stripe's answer, and Stripe limits
		// how fast an account may call it.
		for (const { intent, failures } of due) {
			this.#record(intent, failures, await this.#host.refund(intent), dueBy);
		}
		this.resume();
	}

	/** Backs off from the time the alarm stands for (it may run early, as a test's or a platform retry's does). */
	#record(intent: string, failures: number, answer: RefundOutcome, dueBy: number): void {
		switch (answer.outcome) {
			case "refunded":
				this.#sql.exec(
					"UPDATE refunds SET state = 'refunded', detail = NULL WHERE payment_intent = ?",
					intent,
				);
				return;
			case "refused":
				console.error(
					JSON.stringify({ event: "refund_refused", paymentIntent: intent, detail: answer.detail }),
				);
				this.#sql.exec(
					"UPDATE refunds SET state = 'failed', detail = ? WHERE payment_intent = ?",
					answer.detail,
					intent,
				);
				return;
			case "retry": {
				const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** failures);
				console.warn(JSON.stringify({ event: "refund_retry", paymentIntent: intent, detail: answer.detail }));
				this.#sql.exec(
					"UPDATE refunds SET failures = failures + 1, retry_at = ?, detail = ? WHERE payment_intent = ?",
					Math.max(Date.now(), dueBy) + delay,
					answer.detail,
					intent,
				);
			}
		}
	}
}
