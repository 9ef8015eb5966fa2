import { backoffMs, NETWORK_FAILURE } from "./api-client.js";

/**
 * How one press of Buy becomes at most one order: guest sign-in, a purchase
 * token, the purchase, and the retries the server asks for; and, in a sale
 * with holds, what a buyer does with a held order (pay, cancel) or while a
 * sale is sold out (join the waitlist). No DOM: the page renders what this
 * reports, and tests drive it in node against the Worker.
 *
 * @typedef {import("./api-client.js").ApiFailure} ApiFailure
 * @typedef {import("./shop-api.js").ShopApi} ShopApi
 * @typedef {import("./shop-api.js").Order} Order
 * @typedef {import("./server-clock.js").ServerClock} ServerClock
 */
/**
 * What the protocol is doing, for the page to show.
 * - `reserving`: asking for a purchase token;
 * - `buying`: sending the purchase;
 * - `entering`: sending the entry to a draw;
 * - `waiting`: told "not now" (`code`), it sends again after `waitMs`;
 * - `almost_open`: a hair early for the start, it sends again at the start.
 * @typedef {{ kind: "reserving" } | { kind: "buying" } | { kind: "entering" } | { kind: "almost_open" }
 *           | { kind: "waiting", code: string, waitMs: number }} Progress
 */
/**
 * How a press ended.
 * - `bought`: a new order (`201`);
 * - `already_held`: the order this buyer already held (`200`);
 * - `refused`: a refusal to explain (a `not_started` one carries the moved
 *   start in `failure.details.startsAt`);
 * - `no_bot_check`: there is no bot check to be had, so no call was made.
 * @typedef {{ outcome: "bought", order: Order } | { outcome: "already_held", order: Order }
 *           | { outcome: "refused", failure: ApiFailure } | { outcome: "no_bot_check" }} PurchaseResult
 * @typedef {{ outcome: "signed_in" } | { outcome: "refused", failure: ApiFailure }
 *           | { outcome: "no_bot_check" }} SessionResult
 * @typedef {{ outcome: "waiting", position: number } | { outcome: "refused", failure: ApiFailure }
 *           | { outcome: "no_bot_check" }} WaitlistResult
 * @typedef {import("./shop-api.js").Entry} Entry
 * @typedef {{ outcome: "entered", entry: Entry } | { outcome: "already_entered", entry: Entry }
 *           | { outcome: "refused", failure: ApiFailure } | { outcome: "no_bot_check" }} EntryResult
 */
/**
 * @typedef {object} ProtocolOptions
 * @property {ShopApi} api
 * @property {string} saleId
 * @property {ServerClock} clock the server's clock: token expiry and the start are on it
 * @property {() => number} startsAt the start as last heard, for a `not_started` that names none
 * @property {() => Promise<string | null>} botCheckToken a Turnstile token for one call, or null
 *   when there is no bot check to be had
 * @property {(progress: Progress) => void} [onProgress]
 */
/** @typedef {{ outcome: "token", token: string, expiresAt: number }} PurchaseToken */

/** Answers that mean "not now": wait for Retry-After, then ask again. */
const RETRY_LATER = new Set(["rate_limited", "overloaded", "bot_check_unavailable", "unavailable"]);
/** A press this early is a clock out of step, worth waiting out; any earlier is a moved start. */
const MAX_EARLY_MS = 5_000;
/** A purchase token this close to expiry is not worth sending. */
const TOKEN_MARGIN_MS = 5_000;
/** Renewals of a stale token or a lapsed session per press, so a press can never loop. */
const RENEWALS_PER_PRESS = 2;

export class PurchaseProtocol {
	#api;
	#saleId;
	#clock;
	#startsAt;
	#botCheckToken;
	#onProgress;
	#signedIn = false;
	/** @type {string | null} The guest id this browser signed in as, when it signed in here. */
	#userId = null;
	/** @type {Promise<SessionResult> | null} */
	#signingIn = null;
	/**
	 * Kept after a purchase that got no answer, with the attempt it was sent
	 * for: the next press may be retrying an order that was in fact made.
	 * @type {{ token: string, expiresAt: number, attemptId: string | null } | null}
	 */
	#held = null;

	/** @param {ProtocolOptions} options */
	constructor(options) {
		this.#api = options.api;
		this.#saleId = options.saleId;
		this.#clock = options.clock;
		this.#startsAt = options.startsAt;
		this.#botCheckToken = options.botCheckToken;
		this.#onProgress = options.onProgress ?? (() => {});
	}

	/**
	 * After a reload or in a second tab: the order this shopper already holds.
	 * Also tells whether the browser has a session.
	 * @returns {Promise<{ order: Order | null, failure: ApiFailure | null }>}
	 */
	async heldOrder() {
		const outcome = await this.#api.order(this.#saleId);
		if (outcome.ok) {
			this.#signedIn = true;
			return { order: outcome.data.order, failure: null };
		}
		if (outcome.code === "no_order") this.#signedIn = true;
		return { order: null, failure: outcome.code === "no_order" ? null : outcome };
	}

	/**
	 * Guest sign-in (`POST /api/session`) when this browser has no session.
	 * Shared by everyone who asks while one is under way, so it runs once.
	 * @returns {Promise<SessionResult>}
	 */
	ensureSession() {
		if (this.#signedIn) return Promise.resolve({ outcome: "signed_in" });
		this.#signingIn ??= this.#signIn().finally(() => {
			this.#signingIn = null;
		});
		return this.#signingIn;
	}

	/**
	 * One press of Buy. Every request it sends for the purchase carries the
	 * same `attemptId`, so the server can tell its own retry of an order it
	 * already made from a second purchase.
	 * @param {number} quantity
	 * @param {string | null} [variantId] the size picked; none in a sale without sizes
	 * @returns {Promise<PurchaseResult>}
	 */
	async buy(quantity, variantId = null) {
		const attemptId = this.#held?.attemptId ?? newAttemptId();
		const sent = await this.#withToken({ kind: "buying" }, (purchaseToken) =>
			this.#api.purchase(
				this.#saleId,
				variantId === null
					? { purchaseToken, quantity, attemptId }
					: { purchaseToken, quantity, attemptId, variantId },
			),
		);
		if (sent.outcome !== "answered") return sent;
		const { answer, token } = sent;
		if (answer.ok) {
			this.#held = null;
			const order = answer.data.order;
			return answer.status === 201 ? { outcome: "bought", order } : { outcome: "already_held", order };
		}
		// A purchase that got no answer may have been made: the next press
		// sends the same attempt again, with the same token.
		this.#held =
			answer.code === NETWORK_FAILURE ? { token: token.token, expiresAt: token.expiresAt, attemptId } : null;
		return { outcome: "refused", failure: answer };
	}

	/**
	 * One press of "Join the waitlist", while the size is sold out and units
	 * of it are held. Joining twice is harmless: the server answers the
	 * place already held.
	 * @param {number} quantity
	 * @param {string | null} variantId
	 * @returns {Promise<WaitlistResult>}
	 */
	async joinWaitlist(quantity, variantId) {
		const sent = await this.#withToken(null, (purchaseToken) =>
			this.#api.joinWaitlist(this.#saleId, tokenBody(purchaseToken, quantity, variantId)),
		);
		if (sent.outcome !== "answered") return sent;
		const { answer } = sent;
		if (answer.ok) return { outcome: "waiting", position: answer.data.position };
		return { outcome: "refused", failure: answer };
	}

	/**
	 * One press of "Enter the draw", through the same session and purchase
	 * token as a purchase. Entering twice is harmless: the server answers the
	 * entry already made, so a retry after a lost answer shows the same one.
	 * @param {number} quantity
	 * @param {string | null} variantId
	 * @returns {Promise<EntryResult>}
	 */
	async enter(quantity, variantId) {
		const sent = await this.#withToken({ kind: "entering" }, (purchaseToken) =>
			this.#api.enter(this.#saleId, tokenBody(purchaseToken, quantity, variantId)),
		);
		if (sent.outcome !== "answered") return sent;
		const { answer } = sent;
		if (!answer.ok) return { outcome: "refused", failure: answer };
		const entry = answer.data.entry;
		return answer.status === 201 ? { outcome: "entered", entry } : { outcome: "already_entered", entry };
	}

	/** The guest id of a sign-in made by this page, or null (signed in before it loaded). */
	get userId() {
		return this.#userId;
	}

	/**
	 * Starts paying for the held order, waiting out "not now" answers.
	 * @returns {Promise<import("./api-client.js").ApiOutcome<{ checkoutUrl: string, provider: string }>>}
	 */
	checkout() {
		return this.#withRetries(() => this.#api.checkout(this.#saleId));
	}

	/**
	 * Gives the held order back, waiting out "not now" answers.
	 * @returns {Promise<import("./api-client.js").ApiOutcome<{ order: Order }>>}
	 */
	cancel() {
		return this.#withRetries(() => this.#api.cancelOrder(this.#saleId));
	}

	/** @returns {Promise<SessionResult>} */
	async #signIn() {
		const outcome = await this.#withRetries(async () => {
			const turnstileToken = await this.#botCheckToken();
			return turnstileToken === null ? null : this.#api.signIn(turnstileToken);
		});
		if (outcome === null) return { outcome: "no_bot_check" };
		if (!outcome.ok) return { outcome: "refused", failure: outcome };
		this.#signedIn = true;
		this.#userId = outcome.data.userId;
		return { outcome: "signed_in" };
	}

	/**
	 * The loop every press shares: a session, a purchase token, then `send`
	 * with it, waiting out "not now" answers. A token the server no longer
	 * takes, or a session that lapsed, is renewed and sent again, at most
	 * RENEWALS_PER_PRESS times, so a press can never loop.
	 * @template T
	 * @param {Progress | null} progress reported once the token is in hand, before sending
	 * @param {(purchaseToken: string) => Promise<import("./api-client.js").ApiOutcome<T>>} send
	 * @returns {Promise<{ outcome: "answered", answer: import("./api-client.js").ApiOutcome<T>, token: PurchaseToken }
	 *                   | { outcome: "refused", failure: ApiFailure } | { outcome: "no_bot_check" }>}
	 */
	async #withToken(progress, send) {
		let renewals = RENEWALS_PER_PRESS;
		for (;;) {
			const session = await this.ensureSession();
			if (session.outcome !== "signed_in") return session;
			const token = await this.#purchaseToken();
			if (token.outcome !== "token") return token;
			if (progress) this.#onProgress(progress);
			const answer = await this.#withRetries(() => send(token.token));
			if (
				!answer.ok &&
				(answer.code === "invalid_token" || answer.code === "unauthenticated") &&
				renewals-- > 0
			) {
				// A stale held token is not worth keeping for the next press.
				this.#held = null;
				if (answer.code === "unauthenticated") this.#signedIn = false;
				continue;
			}
			return { outcome: "answered", answer, token };
		}
	}

	/**
	 * A purchase token still good for a while, or a new one.
	 * @returns {Promise<PurchaseToken | { outcome: "refused", failure: ApiFailure } | { outcome: "no_bot_check" }>}
	 */
	async #purchaseToken() {
		const held = this.#held;
		if (held && held.expiresAt - this.#clock.now() > TOKEN_MARGIN_MS) {
			return { outcome: "token", token: held.token, expiresAt: held.expiresAt };
		}
		let renewals = 1;
		for (;;) {
			const outcome = await this.#withRetries(async () => {
				const turnstileToken = await this.#botCheckToken();
				if (turnstileToken === null) return null;
				this.#onProgress({ kind: "reserving" });
				return this.#api.purchaseToken(this.#saleId, turnstileToken);
			});
			if (outcome === null) return { outcome: "no_bot_check" };
			if (outcome.ok) {
				return { outcome: "token", token: outcome.data.purchaseToken, expiresAt: outcome.data.expiresAt };
			}
			if (outcome.code === "unauthenticated" && renewals-- > 0) {
				this.#signedIn = false;
				const session = await this.ensureSession();
				if (session.outcome === "signed_in") continue;
				return session;
			}
			return { outcome: "refused", failure: outcome };
		}
	}

	/**
	 * Sends, and while the answer is "not now" (429, 503, or 425 a hair before
	 * the start) waits as told, with jitter, and sends again.
	 * @template {import("./api-client.js").ApiOutcome<unknown> | null} T
	 * @param {() => Promise<T>} send
	 * @returns {Promise<T>}
	 */
	async #withRetries(send) {
		for (;;) {
			const outcome = await send();
			if (outcome === null || outcome.ok) return outcome;
			if (RETRY_LATER.has(outcome.code)) {
				const waitMs = backoffMs(outcome.retryAfterMs);
				this.#onProgress({ kind: "waiting", code: outcome.code, waitMs });
				await sleep(waitMs);
			} else if (!(outcome.code === "not_started" && (await this.#waitForStart(outcome)))) {
				return outcome;
			}
		}
	}

	/**
	 * Our clock said the sale was open and the server said not yet. Usually we
	 * are a few milliseconds early: sync and wait for the real start. If the
	 * start has moved (the sale was rescheduled), the refusal goes back to the
	 * page, which counts down to the new one.
	 * @param {ApiFailure} outcome
	 * @returns {Promise<boolean>} whether to send again
	 */
	async #waitForStart(outcome) {
		const named = Number(outcome.details.startsAt);
		const startsAt = Number.isFinite(named) ? named : this.#startsAt();
		await this.#clock.sync();
		const wait = startsAt - this.#clock.now();
		if (wait > MAX_EARLY_MS) return false;
		this.#onProgress({ kind: "almost_open" });
		await sleep(Math.max(0, wait) + 20 + Math.random() * 80);
		return true;
	}
}

/**
 * A fresh attempt id: 128 random bits as 32 hex digits. getRandomValues, not
 * randomUUID, since it also works on a page that is not a secure context.
 */
export function newAttemptId() {
	const bytes = crypto.getRandomValues(new Uint8Array(16));
	return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The body of a waitlist join or a draw entry: a size only in a sale with sizes.
 * @param {string} purchaseToken
 * @param {number} quantity
 * @param {string | null} variantId
 */
function tokenBody(purchaseToken, quantity, variantId) {
	return variantId === null ? { purchaseToken, quantity } : { purchaseToken, quantity, variantId };
}

/** @param {number} ms */
function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
