import { ApiClient } from "./api-client.js";

/**
 * The shop's side of the contract (docs/API.md "Buying"), typed: what the
 * sale page, the front page and the purchase protocol call.
 *
 * @typedef {import("./sale-status.js").SaleStatus} SaleStatus
 * @typedef {{ id: string, name: string, description: string, priceCents: number, currency: string,
 *             startsAt: number, endsAt: number, totalStock: number, remaining: number,
 *             maxPerUser: number, status: SaleStatus }} Sale
 * @typedef {{ id: string, saleId: string, userId: string, quantity: number, status: string,
 *             createdAt: number }} Order
 * @typedef {{ sale: Sale, serverTime: number }} SaleView
 * @typedef {{ purchaseToken: string, expiresAt: number }} PurchaseToken
 * @typedef {{ purchaseToken: string, quantity: number, attemptId: string }} PurchaseBody
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
}

/** @param {string} saleId */
function salePath(saleId) {
	return `/api/sales/${encodeURIComponent(saleId)}`;
}
