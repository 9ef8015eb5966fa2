/**
 * The Worker's JSON API as the page sees it. Every call resolves to an
 * outcome, never throws: expected answers (sold out, rate limited, ...) are
 * data the page shows, not exceptions.
 *
 * @typedef {{ ok: true, status: number, data: any }} ApiSuccess
 * @typedef {{ ok: false, status: number, code: string, message: string,
 *             retryAfterMs: number | null, details: Record<string, unknown> }} ApiFailure
 * @typedef {ApiSuccess | ApiFailure} ApiOutcome
 */

/** `code` of the outcome when the request never got an answer. */
export const NETWORK_FAILURE = "network_failure";

/**
 * @param {string} path
 * @param {{ method?: string, body?: unknown, signal?: AbortSignal }} [options]
 * @returns {Promise<ApiOutcome>}
 */
export async function callApi(path, options = {}) {
	const { method = "GET", body, signal } = options;
	let response;
	try {
		response = await fetch(path, {
			method,
			headers: body === undefined ? { accept: "application/json" } : { "content-type": "application/json" },
			body: body === undefined ? undefined : JSON.stringify(body),
			// Times and stock must be fresh; the session travels as a same-origin cookie.
			cache: "no-store",
			credentials: "same-origin",
			signal,
		});
	} catch {
		return failure(0, NETWORK_FAILURE, "No answer from the server.", null);
	}
	const data = await response.json().catch(() => null);
	if (response.ok) return { ok: true, status: response.status, data };
	const error = data?.error ?? {};
	const { code, message, ...details } = error;
	return failure(
		response.status,
		typeof code === "string" ? code : `http_${response.status}`,
		typeof message === "string" ? message : `The server answered ${response.status}.`,
		retryAfterMs(response.headers.get("retry-after")),
		details,
	);
}

/**
 * @param {number} status
 * @param {string} code
 * @param {string} message
 * @param {number | null} retryAfter
 * @param {Record<string, unknown>} [details]
 * @returns {ApiFailure}
 */
function failure(status, code, message, retryAfter, details = {}) {
	return { ok: false, status, code, message, retryAfterMs: retryAfter, details };
}

/**
 * `Retry-After` is seconds or an HTTP date (RFC 9110 §10.2.3); the contract
 * sends seconds, a date is read for robustness.
 * @param {string | null} header
 * @returns {number | null}
 */
function retryAfterMs(header) {
	if (header === null) return null;
	const seconds = Number(header);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(header);
	return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/**
 * How long to wait before retrying after a 429/503: the server's Retry-After
 * plus up to half of it again at random, so that a crowd told "1 second"
 * does not come back in the same millisecond.
 * @param {number | null} retryAfter
 * @returns {number}
 */
export function backoffMs(retryAfter) {
	const base = Math.max(retryAfter ?? 1000, 500);
	return Math.round(base + Math.random() * base * 0.5);
}
