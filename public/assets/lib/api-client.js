/**
 * The one client of the Worker's JSON API, for the shop's pages and the
 * admin console alike: one request, one outcome. A call resolves, never
 * throws: expected answers (sold out, rate limited, ...) are data the caller
 * shows, not exceptions.
 */

/**
 * @template T
 * @typedef {{ ok: true, status: number, data: T }} ApiSuccess
 */
/**
 * The contract's error `{"error": {"code", "message", ...details}}`, or
 * `NETWORK_FAILURE` when no answer came.
 * @typedef {{ ok: false, status: number, code: string, message: string,
 *             retryAfterMs: number | null, details: Record<string, unknown> }} ApiFailure
 */
/**
 * @template T
 * @typedef {ApiSuccess<T> | ApiFailure} ApiOutcome
 */
/**
 * @typedef {(url: string, init: RequestInit) => Promise<Response>} Fetch
 * @typedef {{ method?: string, body?: unknown }} CallOptions
 */

/** `code` of the outcome when the request never got an answer. */
export const NETWORK_FAILURE = "network_failure";

export class ApiClient {
	#origin;
	#fetch;
	#headers;
	#credentials;

	/**
	 * @param {object} [options]
	 * @param {string} [options.origin] put before each path; empty in a browser, which calls its own origin
	 * @param {Fetch} [options.fetch] how requests travel; the platform's fetch by default
	 * @param {() => Record<string, string>} [options.headers] headers sent with every request
	 * @param {RequestCredentials} [options.credentials] whether cookies travel
	 */
	constructor(options = {}) {
		this.#origin = options.origin ?? "";
		this.#fetch = options.fetch ?? ((url, init) => fetch(url, init));
		this.#headers = options.headers ?? (() => ({}));
		this.#credentials = options.credentials ?? "same-origin";
	}

	/**
	 * One request; the raw answer, for the rare caller that wants a body that
	 * is not JSON (a CSV export).
	 * @param {string} path
	 * @param {CallOptions} [options]
	 * @returns {Promise<Response | null>} null when the request got no answer
	 */
	async send(path, options = {}) {
		const { method = "GET", body } = options;
		/** @type {Record<string, string>} */
		const headers = { accept: "application/json", ...this.#headers() };
		if (body !== undefined) headers["content-type"] = "application/json";
		try {
			return await this.#fetch(`${this.#origin}${path}`, {
				method,
				headers,
				body: body === undefined ? undefined : JSON.stringify(body),
				// Times, stock and figures must be fresh, and never sit in a shared cache.
				cache: "no-store",
				credentials: this.#credentials,
			});
		} catch {
			return null;
		}
	}

	/**
	 * A JSON call. The type of a success's data is the caller's to state: it
	 * is what the contract (docs/API.md) promises for that path.
	 * @param {string} path
	 * @param {CallOptions} [options]
	 * @returns {Promise<ApiOutcome<unknown>>}
	 */
	async call(path, options = {}) {
		const response = await this.send(path, options);
		if (!response) return noAnswer();
		const data = await response.json().catch(() => null);
		if (response.ok) return { ok: true, status: response.status, data };
		return failureOf(response, data);
	}
}

/** @returns {ApiFailure} */
export function noAnswer() {
	return {
		ok: false,
		status: 0,
		code: NETWORK_FAILURE,
		message: "No answer from the server.",
		retryAfterMs: null,
		details: {},
	};
}

/**
 * The refusal a response carries, read from its parsed body.
 * @param {Response} response
 * @param {unknown} body
 * @returns {ApiFailure}
 */
export function failureOf(response, body) {
	const error = isRecord(body) && isRecord(body.error) ? body.error : {};
	const { code, message, ...details } = error;
	return {
		ok: false,
		status: response.status,
		code: typeof code === "string" ? code : `http_${response.status}`,
		message: typeof message === "string" ? message : `The server answered ${response.status}.`,
		retryAfterMs: retryAfterMs(response.headers.get("retry-after"), response.headers.get("date")),
		details,
	};
}

/**
 * `Retry-After` is either seconds or an HTTP date (RFC 9110 §10.2.3). A date
 * is on the server's clock, so it is measured from the answer's own `Date`
 * when there is one: the device's clock may be minutes off.
 * @param {string | null} header
 * @param {string | null} [dateHeader] the answer's `Date`
 * @returns {number | null} milliseconds to wait, or null without a usable header
 */
export function retryAfterMs(header, dateHeader = null) {
	if (header === null || header.trim() === "") return null;
	const seconds = Number(header);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const until = Date.parse(header);
	if (Number.isNaN(until)) return null;
	const sent = dateHeader === null ? Number.NaN : Date.parse(dateHeader);
	return Math.max(0, until - (Number.isNaN(sent) ? Date.now() : sent));
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

/**
 * When a page that polls should ask next: its own period plus up to half of
 * it again at random (a crowd of open pages must not ask in step), or, after
 * an answer carrying Retry-After (a 429 or 503), no sooner than the server
 * asked, also with jitter.
 * @param {ApiOutcome<unknown>} outcome the answer to the last poll
 * @param {number} periodMs
 * @returns {number}
 */
export function pollDelayMs(outcome, periodMs) {
	if (!outcome.ok && outcome.retryAfterMs !== null)
		return backoffMs(Math.max(outcome.retryAfterMs, periodMs));
	return Math.round(periodMs + Math.random() * periodMs * 0.5);
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isRecord(value) {
	return typeof value === "object" && value !== null;
}
