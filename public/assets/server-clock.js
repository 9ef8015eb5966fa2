import { callApi } from "./api.js";

/** Samples of `GET /api/time`; the one with the shortest round trip wins. */
const SAMPLES = 5;

/**
 * The server's clock, read through the monotonic `performance.now()`, so the
 * device's wall clock (which may be minutes wrong, or jump while the page is
 * open) never enters the countdown.
 */
export class ServerClock {
	/** serverTime = performance.now() + #offset */
	#offset = 0;
	#synced = false;

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
	 * @returns {Promise<boolean>} whether at least one sample answered
	 */
	async sync() {
		let best = null;
		for (let i = 0; i < SAMPLES; i++) {
			const sentAt = performance.now();
			const outcome = await callApi("/api/time");
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

	/**
	 * A rough fallback before the first sync: a server timestamp that came
	 * with another answer.
	 * @param {number} serverTime
	 */
	adoptIfUnsynced(serverTime) {
		if (!this.#synced) this.#offset = serverTime - performance.now();
	}
}
