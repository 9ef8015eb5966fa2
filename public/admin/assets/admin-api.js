import { ApiClient, failureOf, noAnswer } from "/assets/lib/api-client.js";

/**
 * The admin side of the contract (docs/API.md "Admin"), typed, over the one
 * API client. The admin token lives in this tab's session storage only and
 * travels in the Authorization header, never in a URL, so it cannot leak
 * through history, logs or a Referer. Behind Cloudflare Access there is no
 * token: the browser's Access sign-on (its CF_Authorization cookie) is the
 * credential.
 *
 * @typedef {import("/assets/lib/api-client.js").ApiFailure} ApiFailure
 * @typedef {import("/assets/lib/shop-api.js").Sale} Sale
 * @typedef {import("./sale-form.js").SaleInput} SaleInput
 * @typedef {import("./sales-chart.js").Series} Series
 * @typedef {{ id: string, sold: number, confirmed: number, held: number, remaining: number }} SizeStats
 * @typedef {{ held: number, confirmed: number, expired: number, cancelled: number, waitlist: number,
 *             revenueCents: number, refundsPending?: number, refundsFailed?: number,
 *             variants: SizeStats[] }} HoldStats the v2 figures, for a sale with sizes or holds
 * @typedef {{ remaining: number, sold: number, held: number }} ShardStats one shard's figures
 * @typedef {{ shards: ShardStats[], coordinatorRequests: number }} ShardedStats
 *          the figures of a sale with more than one shard; `shards` is indexed by shard number
 * @typedef {{ sold: number, remaining: number, buyers: number, ordersRecorded: number,
 *             ordersPending: number, outcomes: Record<string, number> }
 *           & Partial<HoldStats> & Partial<ShardedStats>} Stats
 * @typedef {{ sale: Sale, stats: Stats, series: Series }} LiveFigures
 */
/**
 * @template T
 * @typedef {import("/assets/lib/api-client.js").ApiOutcome<T>} ApiOutcome
 */

const TOKEN_KEY = "doorbuster.adminToken";

/** @returns {string | null} */
export function storedToken() {
	return sessionStorage.getItem(TOKEN_KEY);
}

/** @param {string} token */
export function storeToken(token) {
	sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken() {
	sessionStorage.removeItem(TOKEN_KEY);
}

export class AdminApi {
	#client;

	/** @param {() => string | null} [token] the stored token by default; another one to check it before storing */
	constructor(token = storedToken) {
		this.#client = new ApiClient({
			headers: () => {
				const bearer = token();
				/** @type {Record<string, string>} */
				const headers = {};
				if (bearer) headers.authorization = `Bearer ${bearer}`;
				return headers;
			},
			// Same-origin cookies travel for Cloudflare Access's sake; without
			// Access, the admin routes read no cookie at all.
			credentials: "same-origin",
		});
	}

	/**
	 * Who the server says is signed on: with no token, the Cloudflare Access
	 * identity if Access is on and has signed this browser on.
	 * @returns {Promise<ApiOutcome<{ name: string, via: "access" | "token" }>>}
	 */
	session() {
		return /** @type {Promise<ApiOutcome<{ name: string, via: "access" | "token" }>>} */ (
			this.#client.call("/admin/session")
		);
	}

	/** @returns {Promise<ApiOutcome<{ sales: Sale[] }>>} */
	sales() {
		return /** @type {Promise<ApiOutcome<{ sales: Sale[] }>>} */ (this.#client.call("/admin/sales"));
	}

	/**
	 * The sale with its live figures.
	 * @param {string} saleId
	 * @returns {Promise<ApiOutcome<LiveFigures>>}
	 */
	sale(saleId) {
		return /** @type {Promise<ApiOutcome<LiveFigures>>} */ (this.#client.call(salePath(saleId)));
	}

	/**
	 * Creates the sale, or replaces it before it starts.
	 * @param {string} saleId
	 * @param {SaleInput} input
	 * @returns {Promise<ApiOutcome<{ sale: Sale }>>}
	 */
	putSale(saleId, input) {
		return /** @type {Promise<ApiOutcome<{ sale: Sale }>>} */ (
			this.#client.call(salePath(saleId), { method: "PUT", body: input })
		);
	}

	/**
	 * @param {string} saleId
	 * @returns {Promise<ApiOutcome<{ resent: number }>>}
	 */
	reconcile(saleId) {
		return /** @type {Promise<ApiOutcome<{ resent: number }>>} */ (
			this.#client.call(`${salePath(saleId)}/reconcile`, { method: "POST" })
		);
	}

	/**
	 * The whole order book of the sale as a CSV file.
	 * @param {string} saleId
	 * @returns {Promise<ApiOutcome<Blob>>}
	 */
	async ordersCsv(saleId) {
		const response = await this.#client.send(`${salePath(saleId)}/orders.csv`);
		if (!response) return noAnswer();
		if (!response.ok) return failureOf(response, await response.json().catch(() => null));
		return { ok: true, status: response.status, data: await response.blob() };
	}
}

/** @param {string} saleId */
function salePath(saleId) {
	return `/admin/sales/${encodeURIComponent(saleId)}`;
}
