import { NETWORK_FAILURE } from "./lib/api-client.js";
import { hasHolds, sizesOf } from "./lib/sale-sizes.js";
import { heldMessage } from "./order-messages.js";
import { focusOrder, showMissingSale } from "./sale-view.js";

/**
 * What the sale page makes of how a press ended: the order it shows, the
 * stock figures it corrects from the answer, and the words for every
 * refusal in the contract.
 *
 * @typedef {import("./lib/shop-api.js").Sale} Sale
 * @typedef {import("./lib/shop-api.js").Order} Order
 * @typedef {import("./lib/api-client.js").ApiFailure} ApiFailure
 * @typedef {import("./lib/server-clock.js").ServerClock} ServerClock
 * @typedef {import("./lib/purchase-protocol.js").PurchaseResult} PurchaseResult
 * @typedef {import("./order-messages.js").Message} Message
 * @typedef {{ outcome: "refused", failure: ApiFailure } | { outcome: "no_bot_check" }} Refusal
 *
 * @typedef {object} OutcomesHost what the outcomes need of the page
 * @property {ServerClock} clock
 * @property {() => Sale} sale the sale as last heard
 * @property {(tone: import("./sale-view.js").Tone, message: string) => void} say the status line
 * @property {() => void} redraw
 * @property {() => void} tick redraws the countdown to the sale's start as now known
 * @property {Pick<import("./stock-poll.js").StockPoll, "schedule">} stockPoll of the stock figures
 * @property {() => Promise<unknown>} fetchSale reads the sale again
 * @property {() => void} redoBotCheck asks for the bot check again
 * @property {(order: Order, message: Message) => void} adoptOrder shows an order as it now stands
 * @property {(order: Order) => number} holdLeft milliseconds until a hold runs out
 */

export class PressOutcomes {
	#host;

	/** @param {OutcomesHost} host */
	constructor(host) {
		this.#host = host;
	}

	/**
	 * How a press of Buy ended.
	 * @param {PurchaseResult} result
	 * @param {number} quantity
	 * @param {string | null} variantId
	 */
	purchase(result, quantity, variantId) {
		const host = this.#host;
		if (result.outcome === "bought") {
			const sale = host.sale();
			sale.remaining = Math.max(0, sale.remaining - result.order.quantity);
			const size = sizesOf(sale).find((variant) => variant.id === result.order.variantId);
			if (size) size.remaining = Math.max(0, size.remaining - result.order.quantity);
			if (result.order.status === "held")
				host.adoptOrder(result.order, heldMessage("bought", host.holdLeft(result.order)));
			else host.adoptOrder(result.order, ["success", "You got it! Your order is confirmed."]);
			focusOrder();
		} else if (result.outcome === "already_held") {
			host.adoptOrder(result.order, [
				"info",
				"You already have an order in this sale, so nothing more was bought.",
			]);
			focusOrder();
			// Bought elsewhere (another tab): this page's stock figure predates it.
			void host.fetchSale();
		} else if (result.outcome === "refused" && result.failure.code === "sold_out" && variantId !== null) {
			this.#sizeSoldOut(result.failure, variantId);
		} else {
			this.explain(result, quantity);
		}
	}

	/**
	 * Every refusal in the contract gets its own words.
	 * @param {Refusal} result
	 * @param {number} quantity
	 */
	explain(result, quantity) {
		if (result.outcome === "no_bot_check") {
			this.explainBotCheckUnavailable();
			return;
		}
		const host = this.#host;
		const { failure } = result;
		const sale = host.sale();
		let message = `Something went wrong: ${failure.message}`;
		switch (failure.code) {
			case "sold_out":
				if (quantity > 1) {
					message = `There are not ${quantity} left. Try a smaller quantity.`;
					host.stockPoll.schedule(0);
				} else if (hasHolds(sale)) {
					// Units of held orders may come back: look again, for the waitlist.
					sale.remaining = 0;
					message = "Sold out. Every unit is taken, but held ones come back if they are not paid for.";
					host.stockPoll.schedule(0);
				} else {
					sale.remaining = 0;
					message = "Sold out. Every unit has been taken.";
				}
				break;
			case "not_started": {
				// The sale was rescheduled: count down to the start the server named.
				const startsAt = Number(failure.details.startsAt);
				if (Number.isFinite(startsAt) && startsAt !== sale.startsAt) {
					sale.startsAt = startsAt;
					host.tick();
				}
				message = "The sale has not opened yet. Watch the countdown.";
				break;
			}
			case "ended":
				sale.endsAt = Math.min(sale.endsAt, host.clock.now());
				message = "Too late: this sale has ended.";
				break;
			case "bot_check_failed":
				host.redoBotCheck();
				message = "The bot check did not pass. Please complete it again, then press Buy now.";
				break;
			case "sale_not_found":
				showMissingSale();
				message = "This sale no longer exists.";
				break;
			case NETWORK_FAILURE:
				message =
					"Network problem: your request did not reach us. Check your connection and press Buy now again.";
				break;
		}
		// Redraw first: a status change announces itself, and this, the more
		// specific message, must be the one left standing.
		host.redraw();
		host.say("error", message);
	}

	explainBotCheckUnavailable() {
		this.#host.say(
			"error",
			"The bot check is unavailable, so buying is not possible right now. Please reload the page later.",
		);
	}

	/**
	 * The size picked sold out: say which are still to be had, and look again,
	 * since the waitlist may be open for it.
	 * @param {ApiFailure} failure
	 * @param {string} variantId
	 */
	#sizeSoldOut(failure, variantId) {
		const host = this.#host;
		const sizes = sizesOf(host.sale());
		const available = Array.isArray(failure.details.available) ? failure.details.available : [];
		for (const variant of sizes) {
			if (!available.includes(variant.id)) variant.remaining = 0;
		}
		const soldOut = sizes.find((variant) => variant.id === variantId);
		const others = sizes.filter((variant) => available.includes(variant.id)).map((variant) => variant.name);
		host.redraw();
		host.say(
			"error",
			`${soldOut?.name ?? "This size"} just sold out.${others.length > 0 ? ` Still available: ${others.join(", ")}.` : ""}`,
		);
		host.stockPoll.schedule(0);
	}
}
