import { unitsMayReturn } from "./lib/sale-sizes.js";

/**
 * The sale page's poll of the sale's stock figures: every 1 to 2 s during
 * the sale, rarely before it, never once it is over, while the shopper holds
 * an order or waits in line, or while the tab is hidden. The jitter keeps a
 * crowd of open pages from polling in step.
 *
 * @typedef {import("./lib/shop-api.js").Sale} Sale
 * @typedef {import("./lib/sale-status.js").SaleStatus} SaleStatus
 * @typedef {import("./lib/server-clock.js").ServerClock} ServerClock
 *
 * @typedef {object} StockPollHost what the poll needs of the page
 * @property {ServerClock} clock
 * @property {() => Sale | null} sale the sale as last heard, once loaded
 * @property {() => SaleStatus} status the sale's status now
 * @property {() => boolean} standing whether the shopper holds an order or waits in line
 * @property {() => boolean} isDraw whether the sale is a draw
 * @property {() => Promise<unknown>} fetchSale reads the sale again
 */

/** While the sale is live the stock is refreshed every 1 to 2 s, never more often. */
const LIVE_POLL_MS = 1_000;
/** Before the start the sale can still be edited; look again at most this often. */
const UPCOMING_POLL_MS = 60_000;
/** Sold out while units are held: units may come back, but no one is buying; look less often. */
const SOLD_OUT_POLL_MS = 3_000;

export class StockPoll {
	#host;
	/** @type {ReturnType<typeof setTimeout> | undefined} */
	#timer;

	/** @param {StockPollHost} host */
	constructor(host) {
		this.#host = host;
	}

	/**
	 * Looks again after `delay` ms (0: now), or never for null.
	 * @param {number | null} delay
	 */
	schedule(delay) {
		clearTimeout(this.#timer);
		if (delay === null) return;
		this.#timer = setTimeout(() => void this.#poll(), delay);
	}

	/** Looks again as the page now stands. */
	resume() {
		this.schedule(this.delay());
	}

	stop() {
		clearTimeout(this.#timer);
	}

	/** The sale just opened: look within a second, spread over the crowd. */
	opened() {
		this.schedule(Math.random() * LIVE_POLL_MS);
	}

	/** Sold out with units held: look again for units coming back. */
	soldOutForNow() {
		this.schedule(SOLD_OUT_POLL_MS);
	}

	/** @returns {number | null} how long until the next look, or null for none */
	delay() {
		const host = this.#host;
		const sale = host.sale();
		if (!sale || host.standing()) return null;
		const status = host.status();
		const jitter = Math.random() * LIVE_POLL_MS;
		// A draw takes no stock while entries are open: nothing to refresh until the draw.
		if (host.isDraw() && status !== "upcoming") return null;
		if (status === "live") return LIVE_POLL_MS + jitter;
		if (status === "sold_out" && unitsMayReturn(sale)) return SOLD_OUT_POLL_MS + jitter;
		if (status === "upcoming") return Math.min(sale.startsAt - host.clock.now(), UPCOMING_POLL_MS) + jitter;
		return null;
	}

	async #poll() {
		if (document.hidden || this.delay() === null) return;
		await this.#host.fetchSale();
		this.resume();
	}
}
