import { pollDelayMs } from "./lib/api-client.js";

/**
 * The sale page's watch over the shopper's own standing: their place on the
 * waitlist, or their order while its payment is confirmed or its hold ends.
 * One watch at a time: a new one, or a change of order, replaces the last.
 */

/** A waiting buyer's place in line, and the order after a payment, are asked for at most this often. */
const WATCH_POLL_MS = 2_000;

export class OrderWatch {
	/** @type {ReturnType<typeof setTimeout> | undefined} */
	#timer;

	/**
	 * Runs `poll` again after the watch period, or after what the server asked
	 * for if it said "not now".
	 * @param {() => Promise<void>} poll
	 * @param {import("./lib/api-client.js").ApiOutcome<unknown> | null} last the answer to the last poll
	 */
	again(poll, last) {
		clearTimeout(this.#timer);
		const delay = last === null ? WATCH_POLL_MS : pollDelayMs(last, WATCH_POLL_MS);
		this.#timer = setTimeout(() => void poll(), delay);
	}

	stop() {
		clearTimeout(this.#timer);
	}
}
