/**
 * The sale page's ticker: it redraws the page when the countdown's display
 * next changes, on the server's clock.
 *
 * @typedef {import("./lib/shop-api.js").Sale} Sale
 * @typedef {import("./lib/sale-status.js").SaleStatus} SaleStatus
 *
 * @typedef {object} CountdownHost what the ticker needs of the page
 * @property {import("./lib/server-clock.js").ServerClock} clock
 * @property {() => Sale} sale the sale as last heard
 * @property {() => SaleStatus} status the sale's status now
 * @property {() => void} redraw
 */

export class Countdown {
	#host;
	/** @type {ReturnType<typeof setTimeout> | undefined} */
	#timer;

	/** @param {CountdownHost} host */
	constructor(host) {
		this.#host = host;
	}

	/**
	 * Redraws the countdown and then sleeps until the display next changes: the
	 * next tenth of a second in the last minute, the next second before it. The
	 * start itself always falls on such a boundary, so the button opens on time.
	 */
	tick() {
		clearTimeout(this.#timer);
		this.#host.redraw();
		const sale = this.#host.sale();
		const status = this.#host.status();
		const target = status === "upcoming" ? sale.startsAt : status === "ended" ? null : sale.endsAt;
		if (target === null) return;
		const left = target - this.#host.clock.now();
		const step = left <= 60_000 ? 100 : 1_000;
		// +1 ms lands just past the boundary rather than a hair before it.
		this.#timer = setTimeout(() => this.tick(), (left % step || step) + 1);
	}
}
