import { unitsMayReturn } from "./lib/sale-sizes.js";

/**
 * What the sale page says, once, as the sale turns: open, sold out (for now
 * or for good), units back, ended; and in a draw, entries open and closed.
 * A shopper with an order or a place in line hears none of it: their own
 * standing is the news. Reaching some turns also moves the stock poll.
 *
 * @typedef {import("./lib/shop-api.js").Sale} Sale
 * @typedef {import("./lib/sale-status.js").SaleStatus} SaleStatus
 *
 * @typedef {object} AnnouncementsHost what the announcements need of the page
 * @property {(tone: import("./sale-view.js").Tone, message: string) => void} say the status line
 * @property {Pick<import("./stock-poll.js").StockPoll, "opened" | "soldOutForNow">} stockPoll
 * @property {() => import("./draw-mode.js").DrawMode | null} draw the draw, in a draw sale
 * @property {() => boolean} standing whether the shopper holds an order or waits in line
 */

export class SaleAnnouncements {
	#host;
	/** @type {SaleStatus | null} */
	#last = null;
	/** Whether the sale, when last seen, could get units back. */
	#mayReturn = false;

	/** @param {AnnouncementsHost} host */
	constructor(host) {
		this.#host = host;
	}

	/**
	 * The sale as it is about to be drawn: announces a turn since the last time.
	 * @param {Sale} sale
	 * @param {SaleStatus} status
	 */
	update(sale, status) {
		if (this.#last !== status) this.#enter(sale, status);
		const mayReturn = unitsMayReturn(sale);
		if (this.#mayReturn && !mayReturn && status === "sold_out" && !this.#host.standing()) {
			this.#host.say("info", "Sold out. Every unit has been taken.");
		}
		this.#mayReturn = mayReturn;
	}

	/**
	 * One-off effects of reaching a status: announcements and the stock poller.
	 * @param {Sale} sale
	 * @param {SaleStatus} next
	 */
	#enter(sale, next) {
		const { say, stockPoll } = this.#host;
		const previous = this.#last;
		this.#last = next;
		if (this.#host.standing()) return;
		const draw = this.#host.draw();
		if (draw) {
			if (next === "live" && previous === "upcoming")
				say("info", "Entries are open. You can enter the draw now.");
			else if (next === "ended") draw.closed();
			return;
		}
		if (next === "live" && previous === "upcoming") {
			say("info", "The sale is open. You can buy now.");
			stockPoll.opened();
		} else if (next === "live" && previous === "sold_out") {
			say("info", "Units came back. You can buy now.");
		} else if (next === "sold_out" && unitsMayReturn(sale)) {
			say(
				"info",
				"Sold out for now. Units held by others come back if they are not paid for: join the waitlist to be next.",
			);
			stockPoll.soldOutForNow();
		} else if (next === "sold_out") {
			say("info", "Sold out. Every unit has been taken.");
		} else if (next === "ended") {
			say("info", "This sale has ended.");
		}
	}
}
