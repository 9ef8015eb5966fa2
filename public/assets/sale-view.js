import { setBadge, setStatusBadge } from "./lib/badges.js";
import { byId } from "./lib/dom.js";
import { formatCount, formatCountdown, formatDateTime, formatMoney } from "./lib/format.js";

/**
 * What the sale page shows, drawn from its state; no decisions are made here.
 *
 * @typedef {import("./lib/shop-api.js").Sale} Sale
 * @typedef {import("./lib/shop-api.js").Order} Order
 * @typedef {import("./lib/sale-status.js").SaleStatus} SaleStatus
 * @typedef {import("./bot-check.js").BotCheckEvent} BotCheckEvent
 * @typedef {import("./lib/purchase-protocol.js").Progress} Progress
 * @typedef {"info" | "success" | "warning" | "error"} Tone
 * @typedef {{ sale: Sale, status: SaleStatus, now: number, holding: boolean, canPress: boolean,
 *             busy: boolean }} Frame
 */

const view = {
	main: byId("sale"),
	badge: byId("sale-badge"),
	name: byId("sale-name"),
	description: byId("sale-description"),
	body: byId("sale-body"),
	price: byId("sale-price"),
	stock: byId("sale-stock"),
	stockFill: byId("stock-fill"),
	clockLabel: byId("clock-label"),
	countdown: byId("countdown"),
	clockDetail: byId("clock-detail"),
	purchase: byId("purchase"),
	botCheckWidget: byId("bot-check-widget"),
	botCheckNote: byId("bot-check-note"),
	quantityField: byId("quantity-field"),
	quantity: /** @type {HTMLSelectElement} */ (byId("quantity")),
	buy: /** @type {HTMLButtonElement} */ (byId("buy")),
	status: byId("status"),
	statusDetail: byId("status-detail"),
	order: byId("order"),
	orderTitle: byId("order-title"),
	orderId: byId("order-id"),
	orderQuantity: byId("order-quantity"),
	orderTotal: byId("order-total"),
	orderPlaced: byId("order-placed"),
};

/** Notes under the bot check, by what it reports. */
const BOT_CHECK_NOTES = {
	loading: "Loading the bot check…",
	widget: "",
	ready: "",
	waiting: "Complete the check above to continue.",
	error: "The bot check hit a problem and is trying again.",
	"offline-test": "Bot check in offline test mode (Turnstile test key, script not reachable).",
	// The status line explains this one.
	unavailable: "",
};

/** What each "not now" answer means to a shopper, while the protocol waits it out. */
const WAIT_REASONS = /** @type {Record<string, string>} */ ({
	rate_limited: "Too many requests right now.",
	overloaded: "The sale is very busy right now. Nothing was taken.",
	bot_check_unavailable: "The bot check is not answering right now.",
	unavailable: "The shop is not answering right now.",
});

/** @type {ReturnType<typeof setTimeout> | undefined} */
let retryTimer;

/** Where Turnstile renders its widget. */
export const botCheckContainer = view.botCheckWidget;

/** @param {() => void} handler */
export function onBuyPressed(handler) {
	view.buy.addEventListener("click", handler);
}

/** The quantity the shopper picked; 1 when there is no choice. */
export function chosenQuantity() {
	return Number(view.quantity.value || 1);
}

/** @param {Sale} sale */
export function showSaleDetails(sale) {
	document.title = `${sale.name} · Doorbuster`;
	view.name.textContent = sale.name;
	view.description.textContent = sale.description;
	view.price.textContent = formatMoney(sale.priceCents, sale.currency);
	if (sale.maxPerUser > 1) {
		for (let quantity = 1; quantity <= sale.maxPerUser; quantity++) {
			view.quantity.append(new Option(String(quantity), String(quantity)));
		}
		view.quantityField.hidden = false;
	}
	view.body.hidden = false;
}

export function showMissingSale() {
	document.title = "Sale not found · Doorbuster";
	setBadge(view.badge, "Not found");
	view.name.textContent = "There is no such sale";
	view.description.textContent = "Check the link, or see the sales that are on now.";
	showLoaded();
}

export function showLoaded() {
	view.main.setAttribute("aria-busy", "false");
}

/** @param {Frame} frame */
export function render({ sale, status, now, holding, canPress, busy }) {
	view.stock.textContent = `${formatCount(sale.remaining)} of ${formatCount(sale.totalStock)}`;
	view.stockFill.style.setProperty("--fill", String(Math.max(0, sale.remaining) / sale.totalStock));

	if (status === "upcoming") {
		view.clockLabel.textContent = "Opens in";
		view.countdown.textContent = formatCountdown(sale.startsAt - now);
		view.clockDetail.textContent = `Starts ${formatDateTime(sale.startsAt)}`;
	} else if (status === "live" || status === "sold_out") {
		view.clockLabel.textContent = status === "live" ? "Ends in" : "Sold out";
		view.countdown.textContent = status === "live" ? formatCountdown(sale.endsAt - now) : "0 left";
		view.clockDetail.textContent = `Ends ${formatDateTime(sale.endsAt)}`;
	} else {
		view.clockLabel.textContent = "Sale over";
		view.countdown.textContent = "Closed";
		view.clockDetail.textContent = `Ended ${formatDateTime(sale.endsAt)}`;
	}
	setStatusBadge(view.badge, status, "shopper");

	view.purchase.hidden = holding || status === "ended" || status === "sold_out";
	view.order.hidden = !holding;
	// Never truly disabled, so keyboard users can wait on the button.
	view.buy.setAttribute("aria-disabled", String(!canPress));
	view.buy.setAttribute("aria-busy", String(busy));
	view.buy.textContent = busy ? "Buying…" : "Buy now";
	view.quantity.disabled = busy;
}

/**
 * @param {Order} order
 * @param {Sale} sale
 */
export function showOrder(order, sale) {
	view.orderId.textContent = order.id;
	view.orderQuantity.textContent = String(order.quantity);
	view.orderTotal.textContent = formatMoney(sale.priceCents * order.quantity, sale.currency);
	view.orderPlaced.textContent = formatDateTime(order.createdAt);
}

export function focusOrder() {
	view.orderTitle.focus();
}

/** @param {BotCheckEvent} event */
export function showBotCheckNote(event) {
	view.botCheckNote.textContent = BOT_CHECK_NOTES[event];
}

/**
 * The status line, a polite live region.
 * @param {Tone} tone
 * @param {string} message
 */
export function say(tone, message) {
	view.status.dataset.tone = tone;
	view.status.textContent = message;
}

/**
 * What the purchase protocol is doing during a press.
 * @param {Progress} progress
 */
export function showProgress(progress) {
	clearRetryCountdown();
	if (progress.kind === "reserving") say("info", "Reserving your chance to buy…");
	else if (progress.kind === "buying") say("info", "Buying…");
	else if (progress.kind === "almost_open") say("info", "Almost open…");
	else {
		say("warning", `${WAIT_REASONS[progress.code] ?? "Please wait."} Trying again by itself shortly.`);
		showRetryCountdown(progress.waitMs);
	}
}

/**
 * "Retrying in 3 s", counting down beside the status line. The live region
 * announced the wait once; this line is not announced each second.
 * @param {number} waitMs
 */
function showRetryCountdown(waitMs) {
	clearTimeout(retryTimer);
	const until = performance.now() + waitMs;
	const step = () => {
		const left = until - performance.now();
		if (left <= 0) {
			view.statusDetail.textContent = "";
			return;
		}
		view.statusDetail.textContent = `Retrying in ${Math.ceil(left / 1000)} s`;
		retryTimer = setTimeout(step, Math.min(left, left % 1000 || 1000));
	};
	step();
}

export function clearRetryCountdown() {
	clearTimeout(retryTimer);
	view.statusDetail.textContent = "";
}
