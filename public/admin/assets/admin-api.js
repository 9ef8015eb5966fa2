/**
 * The admin API as the console sees it. The admin token lives in this tab's
 * session storage only and travels in the Authorization header, never in a
 * URL, so it cannot leak through history, logs or a Referer.
 *
 * @typedef {{ ok: true, status: number, data: any }} AdminSuccess
 * @typedef {{ ok: false, status: number, code: string, message: string,
 *             retryAfterMs: number | null }} AdminFailure
 * @typedef {AdminSuccess | AdminFailure} AdminOutcome
 */

const TOKEN_KEY = "doorbuster.adminToken";

/** `code` of the outcome when the request never got an answer. */
export const NETWORK_FAILURE = "network_failure";

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

/**
 * @param {string} path
 * @param {{ method?: string, body?: unknown, token?: string }} [options]
 *   `token` checks a token before it is stored; otherwise the stored one is sent.
 * @returns {Promise<Response | null>} null when the request got no answer
 */
export async function adminFetch(path, options = {}) {
	const { method = "GET", body, token = storedToken() ?? "" } = options;
	/** @type {Record<string, string>} */
	const headers = { authorization: `Bearer ${token}` };
	if (body !== undefined) headers["content-type"] = "application/json";
	try {
		return await fetch(path, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
			// Live figures must be fresh, and admin answers must never sit in a shared cache.
			cache: "no-store",
			credentials: "omit",
		});
	} catch {
		return null;
	}
}

/**
 * A JSON admin call. Resolves to an outcome and never throws: refusals are
 * data the console shows.
 * @param {string} path
 * @param {{ method?: string, body?: unknown, token?: string }} [options]
 * @returns {Promise<AdminOutcome>}
 */
export async function adminCall(path, options = {}) {
	const response = await adminFetch(path, options);
	if (!response) return failure(0, NETWORK_FAILURE, "No answer from the server.", null);
	const data = await response.json().catch(() => null);
	if (response.ok) return { ok: true, status: response.status, data };
	return failureOf(response, data);
}

/**
 * The contract's error shape `{"error": {"code", "message"}}`, read from a
 * refused response's parsed body.
 * @param {Response} response
 * @param {any} data
 * @returns {AdminFailure}
 */
export function failureOf(response, data) {
	const error = data?.error ?? {};
	return failure(
		response.status,
		typeof error.code === "string" ? error.code : `http_${response.status}`,
		typeof error.message === "string" ? error.message : `The server answered ${response.status}.`,
		retryAfterMs(response.headers.get("retry-after")),
	);
}

/**
 * @param {number} status
 * @param {string} code
 * @param {string} message
 * @param {number | null} retryAfter
 * @returns {AdminFailure}
 */
function failure(status, code, message, retryAfter) {
	return { ok: false, status, code, message, retryAfterMs: retryAfter };
}

/** @param {string | null} header seconds, as the contract sends them */
function retryAfterMs(header) {
	const seconds = Number(header ?? Number.NaN);
	return Number.isFinite(seconds) ? Math.max(0, seconds * 1000) : null;
}
