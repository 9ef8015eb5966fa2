import type { Order } from "../domain/order";
import type { Payment } from "../payments/payment";
import { decidePayment, type RefundReason } from "../payments/payment-decision";
import { type PaymentEnv, paymentProvider } from "../payments/payment-provider";
import type { ExpireOutcome, RefundOutcome, StripePayments } from "../payments/stripe-payments";
import type { ScheduledWork, WakeAt } from "./alarm-scheduler";
import { Checkouts } from "./checkouts";
import { PaymentEvents } from "./payment-events";
import { type RefundFigures, Refunds } from "./refunds";

/** What the payments need from the object around them. */
export interface PaymentsHost {
	sql: SqlStorage;
	/** The provider's configuration: the object's env. */
	env: PaymentEnv;
	/** The order with this seq as it is now, or null if there is none. */
	order(seq: number): Order | null;
	/** Confirms a held order as paid at `paidAt`. */
	confirm(seq: number, paidAt: number): void;
	/** Expires a held order and returns its units (to the waitlist first). */
	expire(seq: number): void;
	/** Stock's own deadline queries for held orders. */
	earliestHoldExpiry(): number | null;
	dueHolds(dueBy: number, limit: number): number[];
	/** The object's alarm: registers timed work under a name. */
	schedule(name: string, work: ScheduledWork): WakeAt;
}

/** What applying one payment did (shared/API.md "Payment providers"). */
export type PaymentApplied =
	/** This event id was applied before: nothing changed. */
	| "replayed"
	/** It names no checkout of this sale's: nothing changed. */
	| "not_ours"
	| "confirmed"
	/** This very payment confirmed the order already. */
	| "already_applied"
	/** It cannot confirm its order: a full refund is owed (once per payment intent). */
	| `refund:${RefundReason}`;

/**
 * The sale's side of real payments: checkout sessions kept with orders and
 * closed at a hold's end, the provider's payments applied once per event,
 * and the refunds of payments that cannot confirm. Wires the capabilities
 * `Checkouts`, `PaymentEvents` and `Refunds`, and is the only one here that
 * talks to the provider.
 */
export class Payments {
	readonly #host: PaymentsHost;
	readonly #checkouts: Checkouts;
	readonly #events: PaymentEvents;
	readonly #refunds: Refunds;
	/** Built on first use: most sales never call Stripe. */
	#stripe: StripePayments | null | undefined;

	constructor(host: PaymentsHost) {
		this.#host = host;
		this.#events = new PaymentEvents(host.sql);
		this.#refunds = new Refunds(host.sql, {
			refund: (intent) => this.#refund(intent),
			wakeAt: host.schedule("refunds", (dueBy) => this.#refunds.run(dueBy)),
		});
		this.#checkouts = new Checkouts(host.sql, {
			expireSession: (sessionId) => this.#expireSession(sessionId),
			closedUnpaid: (seq) => host.expire(seq),
			paid: (payment) => this.apply(null, payment, Date.now()),
			earliestHoldExpiry: () => host.earliestHoldExpiry(),
			dueHolds: (dueBy, limit) => host.dueHolds(dueBy, limit),
			wakeAt: host.schedule("checkouts", (dueBy) => this.#checkouts.run(dueBy)),
		});
	}

	/** After the object (re)starts: asks the alarm for pending session closings and refund retries. */
	resume(): void {
		this.#checkouts.resume();
		this.#refunds.resume();
	}

	/**
	 * Keeps the checkout session started for an order, so only a payment
	 * through it confirms the order; answers the session kept (the first).
	 * `holdExpiresAt` is null when the order is no longer held (it ended
	 * meanwhile): the session is then closed at once, and a payment through
	 * it refunded.
	 */
	keepCheckout(
		orderId: string,
		seq: number | null,
		sessionId: string,
		holdExpiresAt: number | null,
		now: number,
	): string {
		return this.#checkouts.keep(orderId, seq, sessionId, holdExpiresAt, now);
	}

	/**
	 * Applies a payment the provider reported, in one synchronous span with
	 * the record of its event id, so both commit or neither: confirms the
	 * held order through its kept session, or owes a full refund of a
	 * payment that cannot confirm. `eventId` is null for a payment learnt by
	 * asking the provider (a session found complete at its hold's end).
	 */
	apply(eventId: string | null, payment: Payment, now: number): PaymentApplied {
		if (eventId !== null && this.#events.seen(eventId)) return "replayed";
		const applied = this.#decide(payment, now);
		if (eventId !== null) this.#events.record(eventId, now);
		return applied;
	}

	/** A held order was cancelled: its session is closed now. */
	cancelled(seq: number, now: number): void {
		this.#checkouts.closeNow(seq, now);
	}

	/** The holds' deadline queries, which wait for the provider's word on sessions still to close. */
	earliestHoldExpiry(): number | null {
		return this.#checkouts.earliestHoldExpiry();
	}

	dueHolds(dueBy: number, limit: number): number[] {
		return this.#checkouts.dueHolds(dueBy, limit);
	}

	/** Refunds pending and refused, for the admin figures. */
	figures(): RefundFigures {
		return this.#refunds.figures();
	}

	#decide(payment: Payment, now: number): PaymentApplied {
		const kept = this.#checkouts.of(payment.orderId);
		if (!kept) return "not_ours";
		const order = kept.seq === null ? null : this.#host.order(kept.seq);
		if (kept.seq === null || !order) return this.#owe(payment, "not_held", now);
		const decision = decidePayment({ ...order, sessionId: kept.sessionId }, payment);
		switch (decision.action) {
			case "none":
				return "already_applied";
			case "confirm":
				this.#host.confirm(kept.seq, payment.paidAt);
				this.#checkouts.paid(payment.orderId, payment.paymentIntentId);
				return "confirmed";
			case "refund":
				return this.#owe(payment, decision.reason, now);
		}
	}

	#owe(payment: Payment, reason: RefundReason, now: number): PaymentApplied {
		// The payment that confirmed an order is never refunded, whatever else is reported of it.
		if (this.#checkouts.confirmedBy(payment.paymentIntentId)) return "already_applied";
		this.#refunds.add(payment.paymentIntentId, payment.orderId, reason, now);
		return `refund:${reason}`;
	}

	async #expireSession(sessionId: string): Promise<ExpireOutcome> {
		const stripe = this.#provider();
		if (!stripe) return { outcome: "unreachable", detail: "PAYMENT_PROVIDER is not a working stripe" };
		return stripe.expireCheckout(sessionId);
	}

	async #refund(paymentIntentId: string): Promise<RefundOutcome> {
		const stripe = this.#provider();
		if (!stripe) return { outcome: "retry", detail: "PAYMENT_PROVIDER is not a working stripe" };
		return stripe.refund(paymentIntentId);
	}

	/**
	 * The Stripe provider, or null if the configuration names no working
	 * one now: sessions and refunds then wait, kept, until an operator fixes
	 * it; nothing owed is dropped for a configuration mistake.
	 */
	#provider(): StripePayments | null {
		if (this.#stripe === undefined) {
			try {
				const provider = paymentProvider(this.#host.env);
				this.#stripe = provider?.name === "stripe" ? provider : null;
			} catch {
				this.#stripe = null;
			}
		}
		return this.#stripe;
	}
}
