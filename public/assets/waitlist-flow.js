import { isLive, sizesOf } from "./lib/sale-sizes.js";
import { focusWaitlist, showWaitlistPlace } from "./sale-view.js";

/**
 * The waitlist on the sale page (shared/API.md "Waitlist"): while a size is
 * sold out with units of it held, a buyer waits in line for one to come
 * back. This flow keeps the buyer's place, watches it, and hands a unit
 * that came back (a held order) to the page.
 *
 * @typedef {import("./lib/shop-api.js").ShopApi} ShopApi
 * @typedef {import("./lib/shop-api.js").Sale} Sale
 * @typedef {import("./lib/shop-api.js").Order} Order
 * @typedef {import("./lib/api-client.js").ApiFailure} ApiFailure
 * @typedef {import("./lib/purchase-protocol.js").WaitlistResult} WaitlistResult
 * @typedef {import("./order-watch.js").OrderWatch} OrderWatch
 *
 * @typedef {object} WaitlistHost what the flow needs of the page
 * @property {ShopApi} api
 * @property {string} saleId
 * @property {OrderWatch} watch
 * @property {() => Sale} sale the sale as last heard
 * @property {() => boolean} saleOver whether the sale has ended, on the server's clock
 * @property {(tone: import("./sale-view.js").Tone, message: string) => void} say the status line
 * @property {() => void} redraw
 * @property {() => Promise<unknown>} fetchSale reads the sale again
 * @property {Pick<import("./stock-poll.js").StockPoll, "schedule" | "resume">} stockPoll
 * @property {() => void} unpickSize the size picked cannot come back
 * @property {(order: Order) => void} adoptFound shows a live order found while waiting
 * @property {() => Promise<void>} refreshOrder asks how the shopper's order stands
 * @property {(result: { outcome: "refused", failure: ApiFailure } | { outcome: "no_bot_check" }) => void} explain
 *   says why a press was refused
 */

export class WaitlistFlow {
	#host;
	/** @type {{ position: number, variantId: string | null } | null} The place in line, while waiting. */
	#waiting = null;
	/** Sizes the server said cannot come back (sold out with none held). */
	#gone = /** @type {Set<string>} */ (new Set());

	/** @param {WaitlistHost} host */
	constructor(host) {
		this.#host = host;
	}

	/** Whether the buyer is waiting in line. */
	get waiting() {
		return this.#waiting !== null;
	}

	/**
	 * Whether units of a size (or, for "", of a sale without sizes) were said
	 * to be gone for good.
	 * @param {string} variantId
	 */
	isGone(variantId) {
		return this.#gone.has(variantId);
	}

	/** A live order came: the wait is over. */
	clear() {
		this.#waiting = null;
	}

	/** On arrival, with people waiting: whether this shopper is one of them. */
	async load() {
		const outcome = await this.#host.api.waitlistPosition(this.#host.saleId);
		if (outcome.ok) this.#enter(outcome.data.position, null);
	}

	/**
	 * How a press of "Join the waitlist" ended.
	 * @param {WaitlistResult} result
	 * @param {string | null} variantId
	 */
	joined(result, variantId) {
		const host = this.#host;
		if (result.outcome === "waiting") {
			this.#enter(result.position, variantId);
			host.say("success", "You are on the waitlist. This page shows the hold if a unit comes back to you.");
			focusWaitlist();
			return;
		}
		if (result.outcome === "no_bot_check") {
			host.explain(result);
			return;
		}
		const { failure } = result;
		if (failure.code === "not_sold_out") {
			host.say("info", "One is available right now, so there is no need to wait: press Buy now.");
			host.stockPoll.schedule(0);
		} else if (failure.code === "sold_out") {
			this.#gone.add(variantId ?? "");
			if (variantId !== null) host.unpickSize();
			else host.sale().held = 0;
			host.redraw();
			host.say("info", "Sold out for good: nobody holds one that could come back.");
			host.stockPoll.schedule(0);
		} else if (failure.code === "has_order") {
			void host.refreshOrder();
		} else {
			host.explain(result);
		}
	}

	async leave() {
		const host = this.#host;
		if (!this.#waiting) return;
		const outcome = await host.api.leaveWaitlist(host.saleId);
		if (!outcome.ok && outcome.code !== "not_waiting") {
			host.say("error", `You are still on the waitlist: ${outcome.message}`);
			return;
		}
		this.#waiting = null;
		host.watch.stop();
		host.say("info", "You left the waitlist.");
		await host.fetchSale();
		host.stockPoll.resume();
	}

	/**
	 * @param {number} position
	 * @param {string | null} variantId
	 */
	#enter(position, variantId) {
		this.#waiting = { position, variantId };
		this.#host.stockPoll.schedule(null);
		showWaitlistPlace(position, this.#sizeName(variantId));
		this.#host.redraw();
		this.#host.watch.again(() => this.#place(), null);
	}

	/**
	 * The waiting shopper's place, asked for every few seconds. Off the list
	 * means a unit came to them (a held order) or the wait is over (the sale
	 * ended, or they bought in another tab).
	 */
	async #place() {
		const host = this.#host;
		const waiting = this.#waiting;
		if (!waiting) return;
		const outcome = await host.api.waitlistPosition(host.saleId);
		if (this.#waiting !== waiting) return;
		if (outcome.ok) {
			waiting.position = outcome.data.position;
			showWaitlistPlace(waiting.position, this.#sizeName(waiting.variantId));
			host.watch.again(() => this.#place(), outcome);
			return;
		}
		if (outcome.code !== "not_waiting") {
			host.watch.again(() => this.#place(), outcome);
			return;
		}
		const order = await host.api.order(host.saleId);
		if (order.ok && isLive(order.data.order)) {
			host.adoptFound(order.data.order);
			return;
		}
		if (!order.ok && order.code !== "no_order") {
			// Off the list, and the order could not be read: ask both again.
			host.watch.again(() => this.#place(), order);
			return;
		}
		this.#waiting = null;
		await host.fetchSale();
		host.say(
			"info",
			host.saleOver() ? "The sale ended before a unit came back." : "You are no longer on the waitlist.",
		);
		host.stockPoll.resume();
		host.redraw();
	}

	/** @param {string | null} variantId */
	#sizeName(variantId) {
		return sizesOf(this.#host.sale()).find((variant) => variant.id === variantId)?.name ?? null;
	}
}
