/**
 * What the payment providers exchange with the sale's object and routes
 * (shared/API.md v2, "Orders" and "Payment providers"). Plain data, so the
 * object can keep any of it in its storage and outbox as it is.
 */

/** The held order a checkout is for. */
export interface CheckoutOrder {
	saleId: string;
	orderId: string;
	/** In a sale with shards, the shard that keeps the order, so its payment finds it. */
	shard?: number;
	/** What the buyer sees on the payment page, e.g. "Runner 2 · US 9". */
	itemName: string;
	quantity: number;
	/** `priceCents × quantity`, in the currency's minor units. */
	amountCents: number;
	/** ISO 4217, in any case. */
	currency: string;
	holdExpiresAt: number;
}

/**
 * Where to send the buyer to pay. `sessionId` is the provider's id for this
 * checkout (null when the provider has none): the object keeps it with the
 * order, since only a payment for that session may confirm it.
 */
export type CheckoutOutcome =
	| { ok: true; sessionId: string | null; url: string }
	/**
	 * `unavailable`: the provider could not be reached or erred; the same
	 * checkout may be tried again. `rejected`: it refused this request for
	 * good; `detail` says why, for the log.
	 */
	| { ok: false; reason: "unavailable" | "rejected"; detail: string };

/** A payment the provider says was taken for one of our orders. */
export interface Payment {
	saleId: string;
	orderId: string;
	/** The shard that keeps the order, in a sale with shards; null in a sale of one object. */
	shard: number | null;
	/** The checkout it was paid through. */
	sessionId: string;
	/** What was charged, in the currency's minor units. */
	amountCents: number;
	/** As the provider reports it (Stripe: lowercase). */
	currency: string;
	/** What a refund of this payment names; also the refund's idempotency key. */
	paymentIntentId: string;
	paidAt: number;
	livemode: boolean;
}
