/** Samples of `GET /api/time`; the one with the shortest round trip wins. */
const SAMPLES = 5;
/**
 * How far a server timestamp may fall outside the round trip that brought
 * it, on this clock's estimate, before the estimate counts as off. A sync is
 * off by at most half its best round trip; this leaves room for that.
 */
const DRIFT_TOLERANCE_MS = 500;

/**
 * @typedef {{ time(): Promise<import("./api-client.js").ApiOutcome<{ serverTime: number }>> }} TimeSource
 */

/**
 * The server's clock, read through the monotonic `performance.now()`, so the
 * device's wall clock (which may be minutes wrong, or jump while the page is
 * open) never enters the countdown. `performance.now()` stops while the
 * device sleeps on the major platforms, so the estimate can fall behind:
 * whoever owns the clock syncs it again when the page is shown again, and
 * when `isOff` says a server timestamp disagrees with it.
 */
export class ServerClock {
	/** serverTime = performance.now() + #offset */
	#offset = 0;
	#synced = false;
	/** @type {Promise<boolean> | null} */
	#syncing = null;
	#source;

	/** @param {TimeSource} source */
	constructor(source) {
		this.#source = source;
	}

	/** Milliseconds since the epoch on the server's clock, as best estimated. */
	now() {
		return performance.now() + this.#offset;
	}

	get synced() {
		return this.#synced;
	}

	/**
	 * Estimates the offset from several round trips. Each sample assumes the
	 * server read its clock halfway through the round trip, so its error is at
	 * most half that round trip; the shortest one is therefore the best.
	 * Callers that ask while a sync is under way share it.
	 * @returns {Promise<boolean>} whether at least one sample answered
	 */
	sync() {
		this.#syncing ??= this.#sample().finally(() => {
			this.#syncing = null;
		});
		return this.#syncing;
	}

	/**
	 * Checks the estimate against a server timestamp that came with another
	 * answer. The server read its clock between sending and receiving, so on
	 * a right estimate the timestamp lies inside that round trip. Before the
	 * first sync the timestamp is adopted instead, as a rough start.
	 * @param {number} serverTime
	 * @param {number} sentAt `performance.now()` when the request left
	 * @param {number} receivedAt `performance.now()` when the answer came
	 * @returns {boolean} whether the estimate is off and a sync is due
	 */
	isOff(serverTime, sentAt, receivedAt) {
		if (!this.#synced) {
			this.#offset = serverTime - (sentAt + receivedAt) / 2;
			return false;
		}
		const earliest = sentAt + this.#offset - DRIFT_TOLERANCE_MS;
		const latest = receivedAt + this.#offset + DRIFT_TOLERANCE_MS;
		return serverTime < earliest || serverTime > latest;
	}

	async #sample() {
		let best = null;
		for (let i = 0; i < SAMPLES; i++) {
			const sentAt = performance.now();
			const outcome = await this.#source.time();
			const receivedAt = performance.now();
			if (!outcome.ok || typeof outcome.data?.serverTime !== "number") continue;
			const roundTrip = receivedAt - sentAt;
			if (best === null || roundTrip < best.roundTrip) {
				best = { roundTrip, offset: outcome.data.serverTime - (sentAt + roundTrip / 2) };
			}
		}
		if (best === null) return false;
		this.#offset = best.offset;
		this.#synced = true;
		return true;
	}
}
