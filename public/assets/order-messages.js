import { formatMinutesSeconds } from "./lib/format.js";

/**
 * What the sale page says about the shopper's order at each turn of its life
 * (shared/API.md "Orders"): the words in one place, with no DOM and no state.
 *
 * @typedef {import("./sale-view.js").Tone} Tone
 * @typedef {import("./lib/shop-api.js").Order} Order
 * @typedef {[Tone, string]} Message
 * @typedef {"success" | "cancel" | null} CheckoutReturn how the page was reached back from a
 *   checkout (`?checkout=` of the Stripe success and cancel URLs and the test payment page)
 */

/** @type {Message} */
export const PAID = ["success", "Paid. Your order is confirmed."];

/** @type {Message} */
export const ALREADY_BOUGHT = ["success", "You already have an order in this sale."];

/**
 * A new hold: bought just now, or a unit that came back to a waiting shopper.
 * @param {"bought" | "handed_over"} how
 * @param {number} msLeft until the hold runs out
 * @returns {Message}
 */
export function heldMessage(how, msLeft) {
	const left = formatMinutesSeconds(msLeft);
	return how === "bought"
		? ["success", `Got it! Pay within ${left} to keep it.`]
		: ["success", `A unit came back and it is yours! Pay within ${left} to keep it.`];
}

/**
 * A live order found as the page opens: after a reload, in a second tab, or
 * back from a checkout.
 * @param {Order} order
 * @param {number} msLeft until a held order runs out
 * @param {CheckoutReturn} returned
 * @returns {Message}
 */
export function arrivalMessage(order, msLeft, returned) {
	if (order.status === "held") {
		if (returned === "success") return ["info", "Payment sent. Confirming your order…"];
		const left = formatMinutesSeconds(msLeft);
		if (returned === "cancel") {
			return [
				"warning",
				`The payment was not completed. Your hold keeps running: pay within ${left}, or cancel it.`,
			];
		}
		return ["info", `You hold one in this sale. Pay within ${left} to keep it.`];
	}
	return order.paidAt && returned !== null ? PAID : ALREADY_BOUGHT;
}

/**
 * An order that is over: it expired unpaid, or its buyer cancelled it.
 * @param {Order} order
 * @param {CheckoutReturn} returned
 * @param {boolean} saleOver whether buying again is no longer possible
 * @returns {Message}
 */
export function endMessage(order, returned, saleOver) {
	const again = saleOver ? "" : " You can try again.";
	if (order.status === "cancelled")
		return ["info", `You cancelled your hold, and the unit went back.${again}`];
	if (returned === "success") {
		return ["warning", `Your payment did not arrive before the hold ran out, so the unit went back.${again}`];
	}
	return ["warning", `Your hold ran out before it was paid, so the unit went back.${again}`];
}
