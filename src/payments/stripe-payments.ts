import Stripe from "stripe";
import * as z from "zod";
import { saleIdSchema } from "../domain/sale";
import { MAX_SHARDS } from "../domain/shards";
import type { CheckoutOrder, CheckoutOutcome, Payment } from "./payment";

/** Events signed longer ago than this are refused (shared/API.md: 300 s). */
const WEBHOOK_TOLERANCE_SECONDS = 300;
/**
 * Stripe keeps a Checkout Session open at least 30 minutes. Ours closes that
 * long after the hold ends, plus a minute for clock skew, so a session Stripe
 * could not be told to expire still closes by itself. Derived from the order
 * alone, so a retried create sends the very same request, as an idempotent
 * retry must. https://docs.stripe.com/api/checkout/sessions/create#create_checkout_session-expires_at
 */
export const SESSION_LIFETIME_AFTER_HOLD_SECONDS = 31 * 60;
/**
 * A buyer waits on checkout, and the object's alarm on expiry and refunds,
 * so no call may hang for Stripe's default 80 s.
 */
const REQUEST_TIMEOUT_MS = 10_000;

/** How to reach Stripe. */
export interface StripeSettings {
	secretKey: string;
	webhookSecret: string;
	/** Where a Stripe test double listens; Stripe's API when absent. */
	address?: StripeAddress;
}

/** The client's `host`, `port` and `protocol` settings. */
export interface StripeAddress {
	host: string;
	port: number;
	protocol: "http" | "https";
}

/** The answer to "expire this checkout session" at a hold's end. */
export type ExpireOutcome =
	/** Nobody can pay through it any more: the order expires and its units return. */
	| { outcome: "expired" }
	/** It was paid first: the caller applies this payment as if its webhook had come. */
	| { outcome: "complete"; payment: Payment }
	/** Stripe could not be reached or could not say: try again later. */
	| { outcome: "unreachable"; detail: string };

export type RefundOutcome =
	| { outcome: "refunded" }
	/** Network error, 5xx, 429, lock timeout: the same refund may be sent again. */
	| { outcome: "retry"; detail: string }
	/** Stripe refuses it for good (counted in `refundsFailed`). */
	| { outcome: "refused"; detail: string };

/** Why a signed event changes nothing. */
export type IgnoredReason = "event_type" | "livemode_mismatch" | "unpaid" | "not_ours" | "unreadable";

export type WebhookOutcome =
	/** Missing, wrong or stale `Stripe-Signature`: `400 invalid_signature`, nothing changes. */
	| { kind: "invalid_signature" }
	/** Signed by Stripe but nothing to apply: `200`, nothing changes. */
	| { kind: "ignored"; eventId: string | null; reason: IgnoredReason }
	/** A payment for one of our orders, to apply at most once per `eventId`. */
	| { kind: "payment"; eventId: string; payment: Payment };

/**
 * Stripe as the payment provider: Checkout Sessions for held orders, their
 * expiry, refunds and the webhook's events. Every expected outcome is data;
 * only a bug throws.
 */
export class StripePayments {
	readonly name = "stripe";
	/** Whether the key moves real money; an event's `livemode` must match it. */
	readonly livemode: boolean;
	readonly #stripe: Stripe;
	readonly #webhookSecret: string;
	readonly #crypto = Stripe.createSubtleCryptoProvider();

	constructor(settings: StripeSettings) {
		this.livemode = /^[rs]k_live_/.test(settings.secretKey);
		this.#webhookSecret = settings.webhookSecret;
		this.#stripe = new Stripe(settings.secretKey, {
			// Looks the global fetch up per request rather than once here, so
			// a client kept by a long-lived object uses whatever fetch is
			// current (and tests can stub it at the boundary).
			httpClient: Stripe.createFetchHttpClient((input, init) => fetch(input, init)),
			timeout: REQUEST_TIMEOUT_MS,
			// Every caller already retries durably and with the same
			// idempotency key: the buyer's next checkout press, the object's
			// alarm for expiry and refunds. Waiting out a backoff here would
			// only hold the buyer or the alarm longer.
			maxNetworkRetries: 0,
			...settings.address,
		});
	}

	/**
	 * Creates the Checkout Session for a held order: its amount and currency,
	 * card payments only (they settle at once), the sale and order in its
	 * metadata, and success and cancel URLs back to the sale's page at
	 * `origin`. The order id keys the request, so a retried checkout never
	 * makes a second session.
	 */
	async startCheckout(order: CheckoutOrder, origin: string): Promise<CheckoutOutcome> {
		const metadata = {
			saleId: order.saleId,
			orderId: order.orderId,
			...(order.shard === undefined ? {} : { shard: String(order.shard) }),
		};
		const salePage = `${origin}/sales/${encodeURIComponent(order.saleId)}`;
		try {
			const session = await this.#stripe.checkout.sessions.create(
				{
					mode: "payment",
					// Since API version 2026-09-30 the list of methods is a filter
					// named `allowed_payment_method_types`.
					allowed_payment_method_types: ["card"],
					line_items: [
						{
							quantity: order.quantity,
							price_data: {
								currency: order.currency.toLowerCase(),
								unit_amount: unitAmount(order),
								product_data: { name: order.itemName },
							},
						},
					],
					client_reference_id: order.orderId,
					metadata,
					payment_intent_data: { metadata },
					success_url: `${salePage}?checkout=success`,
					cancel_url: `${salePage}?checkout=cancel`,
					expires_at: Math.ceil(order.holdExpiresAt / 1000) + SESSION_LIFETIME_AFTER_HOLD_SECONDS,
				},
				{ idempotencyKey: `checkout-${order.orderId}` },
			);
			if (!session.url) return { ok: false, reason: "rejected", detail: "Stripe returned no checkout URL" };
			return { ok: true, sessionId: session.id, url: session.url };
		} catch (error) {
			const failure = classify(error);
			return { ok: false, reason: failure.transient ? "unavailable" : "rejected", detail: failure.detail };
		}
	}

	/**
	 * Expires a hold's Checkout Session so nobody can pay for a unit that is
	 * handed on. Stripe refuses to expire a session that is not open; then
	 * the session itself says whether it was paid or is already closed.
	 */
	async expireCheckout(sessionId: string): Promise<ExpireOutcome> {
		try {
			return this.#expiryOutcome(await this.#stripe.checkout.sessions.expire(sessionId));
		} catch (error) {
			const failure = classify(error);
			if (failure.transient) return { outcome: "unreachable", detail: failure.detail };
		}
		try {
			return this.#expiryOutcome(await this.#stripe.checkout.sessions.retrieve(sessionId));
		} catch (error) {
			const failure = classify(error);
			// A session this account does not have cannot be paid through it.
			if (!failure.transient && failure.status === 404) return { outcome: "expired" };
			return { outcome: "unreachable", detail: failure.detail };
		}
	}

	/**
	 * Refunds a payment in full. The payment intent's id is the idempotency
	 * key, so however often this is retried Stripe refunds it once.
	 */
	async refund(paymentIntentId: string): Promise<RefundOutcome> {
		try {
			await this.#stripe.refunds.create(
				{ payment_intent: paymentIntentId },
				{ idempotencyKey: paymentIntentId },
			);
			return { outcome: "refunded" };
		} catch (error) {
			const failure = classify(error);
			// Stripe forgets idempotency keys after 24 hours; a retry after that
			// finds the refund already made.
			if (failure.code === "charge_already_refunded") return { outcome: "refunded" };
			return failure.transient
				? { outcome: "retry", detail: failure.detail }
				: { outcome: "refused", detail: failure.detail };
		}
	}

	/**
	 * Verifies a webhook request (the raw body, exactly as received, and its
	 * `Stripe-Signature` header) and says what it means for us. Only a paid
	 * `checkout.session.completed` in the key's own mode naming a sale and
	 * order is a payment.
	 */
	async readWebhook(rawBody: string, signature: string | null): Promise<WebhookOutcome> {
		let event: unknown;
		try {
			event = await this.#stripe.webhooks.constructEventAsync(
				rawBody,
				// An absent header fails verification like a wrong one.
				signature ?? "",
				this.#webhookSecret,
				WEBHOOK_TOLERANCE_SECONDS,
				this.#crypto,
			);
		} catch (error) {
			if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
				return { kind: "invalid_signature" };
			}
			// The signature held, so Stripe sent it, but it is not JSON.
			if (error instanceof SyntaxError) return { kind: "ignored", eventId: null, reason: "unreadable" };
			throw error;
		}
		return this.#interpret(event);
	}

	#interpret(body: unknown): WebhookOutcome {
		const event = eventSchema.safeParse(body);
		if (!event.success) return { kind: "ignored", eventId: null, reason: "unreadable" };
		const { id: eventId, type, livemode, created } = event.data;
		if (type !== "checkout.session.completed") return { kind: "ignored", eventId, reason: "event_type" };
		// A test-mode event must never confirm a live sale's order, nor the reverse.
		if (livemode !== this.livemode) return { kind: "ignored", eventId, reason: "livemode_mismatch" };
		const session = sessionSchema.safeParse(event.data.data.object);
		if (!session.success) return { kind: "ignored", eventId, reason: "unreadable" };
		const payment = paymentOf(session.data, created * 1000);
		if (typeof payment === "string") return { kind: "ignored", eventId, reason: payment };
		return { kind: "payment", eventId, payment };
	}

	#expiryOutcome(raw: Stripe.Checkout.Session): ExpireOutcome {
		const session = sessionSchema.safeParse(raw);
		if (!session.success) return { outcome: "unreachable", detail: "Stripe's session could not be read" };
		if (session.data.status === "expired") return { outcome: "expired" };
		if (session.data.status === "complete") {
			// The session shows no time of payment: it was paid by now.
			const payment = paymentOf(session.data, Date.now());
			if (typeof payment !== "string") return { outcome: "complete", payment };
		}
		return {
			outcome: "unreachable",
			detail: `the session is ${session.data.status} and could not be expired`,
		};
	}
}

/** The fields of an event we read; the rest may change with Stripe's API versions. */
const eventSchema = z.object({
	id: z.string().min(1),
	type: z.string(),
	created: z.number().int(),
	livemode: z.boolean(),
	data: z.object({ object: z.unknown() }),
});

/** The fields of a Checkout Session we read. */
const sessionSchema = z.object({
	id: z.string().min(1),
	status: z.string().nullable(),
	payment_status: z.string(),
	amount_total: z.number().int().nullable(),
	currency: z.string().nullable(),
	payment_intent: z.union([z.string(), z.object({ id: z.string() })]).nullable(),
	livemode: z.boolean(),
	metadata: z.record(z.string(), z.string()).nullable(),
});

/** The shard a session's metadata names: absent in a sale of one object. */
const shardSchema = z.coerce
	.number()
	.int()
	.min(0)
	.max(MAX_SHARDS - 1);

/** The payment a paid session records, or why it is none of ours to apply. */
function paymentOf(session: z.infer<typeof sessionSchema>, paidAt: number): Payment | IgnoredReason {
	if (session.payment_status !== "paid") return "unpaid";
	const saleId = saleIdSchema.safeParse(session.metadata?.saleId);
	const orderId = session.metadata?.orderId;
	if (!saleId.success || !orderId) return "not_ours";
	const shard = shardSchema.safeParse(session.metadata?.shard);
	const intent = session.payment_intent;
	if (session.amount_total === null || session.currency === null || intent === null) return "unreadable";
	return {
		saleId: saleId.data,
		orderId,
		shard: shard.success ? shard.data : null,
		sessionId: session.id,
		amountCents: session.amount_total,
		currency: session.currency,
		paymentIntentId: typeof intent === "string" ? intent : intent.id,
		paidAt,
		livemode: session.livemode,
	};
}

/**
 * Stripe prices a line item per unit. An order's amount is its price times
 * its quantity, so this divides exactly; if it did not, the charge would
 * differ from the order and every payment for it would be refunded.
 */
function unitAmount(order: CheckoutOrder): number {
	const unit = order.amountCents / order.quantity;
	if (!Number.isInteger(unit)) {
		throw new Error(`order ${order.orderId}: ${order.amountCents} is not ${order.quantity} equal units`);
	}
	return unit;
}

interface Failure {
	/** Whether the same request may succeed later. */
	transient: boolean;
	status: number | undefined;
	code: string | undefined;
	detail: string;
}

/**
 * Sorts what a Stripe call threw. Network errors, timeouts, unreadable
 * answers, 5xx, 429, 409 and lock timeouts pass; other 4xx are Stripe's final
 * word, except 401 and 403: those say our key is wrong or lacks a permission,
 * which an operator fixes, so giving up on the request (a refund above all)
 * would lose it for a configuration mistake.
 * https://docs.stripe.com/error-low-level#server-errors
 */
function classify(error: unknown): Failure {
	// Anything else is a bug on our side, not an answer from Stripe.
	if (!(error instanceof Stripe.errors.StripeError)) throw error;
	const status = error.statusCode;
	const code = error.code;
	const transient =
		status === undefined ||
		status >= 500 ||
		status === 429 ||
		status === 409 ||
		status === 401 ||
		status === 403 ||
		code === "lock_timeout" ||
		code === "rate_limit";
	return { transient, status, code, detail: `${error.type}${status ? ` ${status}` : ""}: ${error.message}` };
}
