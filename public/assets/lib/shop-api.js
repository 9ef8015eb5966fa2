import { ApiClient } from "./api-client.js";

/**
 * The shop's side of the contract (docs/API.md "Buying", and the v2
 * "Orders", checkout, cancel and "Waitlist"), typed: what the sale page, the
 * front page and the purchase protocol call.
 *
 * The v2 fields are optional in these types: a sale created without them
 * reads as in v1, and the pages treat a missing field as its v1 meaning.
 *
 * @typedef {import("./sale-status.js").SaleStatus} SaleStatus
 * @typedef {{ id: string, name: string, totalStock: number, remaining: number }} Variant
 * @typedef {{ id: string, name: string, description: string, priceCents: number, currency: string,
 *             startsAt: number, endsAt: number, totalStock: number, remaining: number,
 *             maxPerUser: number, status: SaleStatus, variants?: Variant[], imageUrl?: string | null,
 *             holdSeconds?: number, held?: number, waitlist?: number,
 *             paymentProvider?: string | null, mode?: "first_come" | "draw",
 *             shards?: number, relays?: number }} Sale
 * @typedef {"held" | "confirmed" | "expired" | "cancelled"} OrderStatus
 * @typedef {{ id: string, saleId: string, userId: string, quantity: number, status?: OrderStatus,
 *             createdAt: number, variantId?: string, amountCents?: number, currency?: string,
 *             holdExpiresAt?: number | null, paidAt?: number | null }} Order
 * @typedef {{ sale: Sale, serverTime: number }} SaleView
 * @typedef {{ purchaseToken: string, expiresAt: number }} PurchaseToken
 * @typedef {{ purchaseToken: string, quantity: number, attemptId: string, variantId?: string }} PurchaseBody
 * @typedef {{ purchaseToken: string, quantity: number, variantId?: string }} WaitlistBody
 * @typedef {{ purchaseToken: string, quantity: number, variantId?: string }} EntryBody
 * @typedef {{ commitment: string, nonce: string, variantId: string, quantity: number, createdAt: number }} Entry
 * @typedef {"open" | "waiting" | "drawn"} DrawStatus
 * @typedef {{ beacon: "drand-quicknet" | "local", chainHash: string | null, round: number, status: DrawStatus,
 *             commitment?: string, entrants?: number, entrantsRoot?: string, randomness?: string,
 *             signature?: string, winners?: string[], runnersUp?: string[], algorithm?: string }} DrawView
 */
/**
 * @template T
 * @typedef {import("./api-client.js").ApiOutcome<T>} ApiOutcome
 */

export class ShopApi {
	#client;

	/** @param {ApiClient} [client] a browser's same-origin client by default */
	constructor(client = new ApiClient()) {
		this.#client = client;
	}

	/** @returns {Promise<ApiOutcome<{ serverTime: number }>>} */
	time() {
		return /** @type {Promise<ApiOutcome<{ serverTime: number }>>} */ (this.#client.call("/api/time"));
	}

	/** @returns {Promise<ApiOutcome<{ turnstileSiteKey: string, turnstileAction: string }>>} */
	config() {
		return /** @type {Promise<ApiOutcome<{ turnstileSiteKey: string, turnstileAction: string }>>} */ (
			this.#client.call("/api/config")
		);
	}

	/** @returns {Promise<ApiOutcome<{ sales: Sale[], serverTime: number }>>} */
	sales() {
		return /** @type {Promise<ApiOutcome<{ sales: Sale[], serverTime: number }>>} */ (
			this.#client.call("/api/sales")
		);
	}

	/**
	 * @param {string} saleId
	 * @returns {Promise<ApiOutcome<SaleView>>}
	 */
	sale(saleId) {
		return /** @type {Promise<ApiOutcome<SaleView>>} */ (this.#client.call(salePath(saleId)));
	}

	/**
	 * The caller's order in the sale (`404 no_order` when there is none).
	 * @param {string} saleId
	 * @returns {Promise<ApiOutcome<{ order: Order }>>}
	 */
	order(saleId) {
		return /** @type {Promise<ApiOutcome<{ order: Order }>>} */ (
			this.#client.call(`${salePath(saleId)}/order`)
		);
	}

	/**
	 * Guest sign-in; the session comes back as a cookie.
	 * @param {string} turnstileToken
	 * @returns {Promise<ApiOutcome<{ userId: string, expiresAt: number }>>}
	 */
	signIn(turnstileToken) {
		return /** @type {Promise<ApiOutcome<{ userId: string, expiresAt: number }>>} */ (
			this.#client.call("/api/session", { method: "POST", body: { turnstileToken } })
		);
	}

	/**
	 * @param {string} saleId
	 * @param {string} turnstileToken
	 * @returns {Promise<ApiOutcome<PurchaseToken>>}
	 */
	purchaseToken(saleId, turnstileToken) {
		return /** @type {Promise<ApiOutcome<PurchaseToken>>} */ (
			this.#client.call(`${salePath(saleId)}/purchase-token`, { method: "POST", body: { turnstileToken } })
		);
	}

	/**
	 * `201` a new order, `200` the order the buyer already held.
	 * @param {string} saleId
	 * @param {PurchaseBody} body
	 * @returns {Promise<ApiOutcome<{ order: Order }>>}
	 */
	purchase(saleId, body) {
		return /** @type {Promise<ApiOutcome<{ order: Order }>>} */ (
			this.#client.call(`${salePath(saleId)}/purchase`, { method: "POST", body })
		);
	}

	/**
	 * Starts paying for the caller's held order: where to send the buyer.
	 * `409 not_held` carries the order as it is now in `details.order`.
	 * @param {string} saleId
	 * @returns {Promise<ApiOutcome<{ checkoutUrl: string, provider: string }>>}
	 */
	checkout(saleId) {
		return /** @type {Promise<ApiOutcome<{ checkoutUrl: string, provider: string }>>} */ (
			this.#client.call(`${salePath(saleId)}/order/checkout`, { method: "POST" })
		);
	}

	/**
	 * Gives back the caller's held order; its units return at once.
	 * @param {string} saleId
	 * @returns {Promise<ApiOutcome<{ order: Order }>>}
	 */
	cancelOrder(saleId) {
		return /** @type {Promise<ApiOutcome<{ order: Order }>>} */ (
			this.#client.call(`${salePath(saleId)}/order/cancel`, { method: "POST" })
		);
	}

	/**
	 * `202` joined, `200` already waiting: the place in line (1 = next).
	 * @param {string} saleId
	 * @param {WaitlistBody} body
	 * @returns {Promise<ApiOutcome<{ position: number }>>}
	 */
	joinWaitlist(saleId, body) {
		return /** @type {Promise<ApiOutcome<{ position: number }>>} */ (
			this.#client.call(`${salePath(saleId)}/waitlist`, { method: "POST", body })
		);
	}

	/**
	 * Enters a draw sale: `201` a new entry, `200` the entry the buyer already has.
	 * @param {string} saleId
	 * @param {EntryBody} body
	 * @returns {Promise<ApiOutcome<{ entry: Entry }>>}
	 */
	enter(saleId, body) {
		return /** @type {Promise<ApiOutcome<{ entry: Entry }>>} */ (
			this.#client.call(`${salePath(saleId)}/entry`, { method: "POST", body })
		);
	}

	/**
	 * The caller's entry in a draw sale, or `404 no_entry`.
	 * @param {string} saleId
	 * @returns {Promise<ApiOutcome<{ entry: Entry }>>}
	 */
	entry(saleId) {
		return /** @type {Promise<ApiOutcome<{ entry: Entry }>>} */ (
			this.#client.call(`${salePath(saleId)}/entry`)
		);
	}

	/**
	 * A draw sale's public draw: its beacon, status, and once drawn the winners.
	 * @param {string} saleId
	 * @returns {Promise<ApiOutcome<{ draw: DrawView }>>}
	 */
	draw(saleId) {
		return /** @type {Promise<ApiOutcome<{ draw: DrawView }>>} */ (
			this.#client.call(`${salePath(saleId)}/draw`)
		);
	}

	/**
	 * The caller's place in line, or `404 not_waiting`.
	 * @param {string} saleId
	 * @returns {Promise<ApiOutcome<{ position: number }>>}
	 */
	waitlistPosition(saleId) {
		return /** @type {Promise<ApiOutcome<{ position: number }>>} */ (
			this.#client.call(`${salePath(saleId)}/waitlist`)
		);
	}

	/**
	 * Leaves the waitlist (`204`).
	 * @param {string} saleId
	 * @returns {Promise<ApiOutcome<unknown>>}
	 */
	leaveWaitlist(saleId) {
		return this.#client.call(`${salePath(saleId)}/waitlist`, { method: "DELETE" });
	}
}

/** @param {string} saleId */
function salePath(saleId) {
	return `/api/sales/${encodeURIComponent(saleId)}`;
}
