import { setBadge, setStatusBadge } from "./lib/badges.js";
import { byId, element } from "./lib/dom.js";
import {
	formatCount,
	formatCountdown,
	formatDateTime,
	formatMinutesSeconds,
	formatMoney,
} from "./lib/format.js";
import { sizeOfOrder, sizesOf } from "./lib/sale-sizes.js";

/**
 * What the sale page shows, drawn from its state; no decisions are made here.
 *
 * @typedef {import("./lib/shop-api.js").Sale} Sale
 * @typedef {import("./lib/shop-api.js").Order} Order
 * @typedef {import("./lib/sale-status.js").SaleStatus} SaleStatus
 * @typedef {import("./bot-check.js").BotCheckEvent} BotCheckEvent
 * @typedef {import("./lib/shop-api.js").Variant} Variant
 * @typedef {import("./lib/purchase-protocol.js").Progress} Progress
 * @typedef {"info" | "success" | "warning" | "error"} Tone
 * @typedef {"buy" | "wait"} Action what a press of the main button does: buy, or join the waitlist
 * @typedef {{ id: string, pickable: boolean }} SizeChoice
 * @typedef {{ sale: Sale, status: SaleStatus, now: number, holding: boolean, canPress: boolean,
 *             busy: boolean, offering?: boolean, action?: Action, waiting?: boolean,
 *             sizes?: SizeChoice[], chosenSize?: string | null }} Frame
 * `offering`: the purchase controls are shown (by default: while live);
 * `sizes`: which sizes can be picked now, in a sale with sizes.
 * @typedef {"held" | "confirming" | "confirmed"} OrderStage
 */

const view = {
	main: byId("sale"),
	image: /** @type {HTMLImageElement} */ (byId("sale-image")),
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
	sizes: byId("sizes"),
	sizeOptions: byId("size-options"),
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
	orderSizeRow: byId("order-size-row"),
	orderSize: byId("order-size"),
	orderQuantity: byId("order-quantity"),
	orderTotal: byId("order-total"),
	orderPaidRow: byId("order-paid-row"),
	orderPaid: byId("order-paid"),
	orderPlaced: byId("order-placed"),
	hold: byId("hold"),
	holdClock: /** @type {HTMLElement} */ (byId("hold-countdown").parentElement),
	holdCountdown: byId("hold-countdown"),
	holdNote: byId("hold-note"),
	holdActions: /** @type {HTMLElement} */ (byId("pay").parentElement),
	pay: /** @type {HTMLButtonElement} */ (byId("pay")),
	cancelHold: /** @type {HTMLButtonElement} */ (byId("cancel-hold")),
	waitlist: byId("waitlist"),
	waitlistTitle: byId("waitlist-title"),
	waitlistPosition: byId("waitlist-position"),
	waitlistSize: byId("waitlist-size"),
	leaveWaitlist: /** @type {HTMLButtonElement} */ (byId("leave-waitlist")),
};

/** What the hold box says under its clock, by stage. */
const HOLD_NOTES = {
	held: "The unit is yours until then. Unpaid, it goes back.",
	confirming: "Waiting for the payment to be confirmed. This takes a few seconds.",
	confirmed: "",
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

/** @param {(variantId: string) => void} handler told the id of the size picked */
export function onSizePicked(handler) {
	view.sizeOptions.addEventListener("click", (event) => {
		const button = /** @type {Element} */ (event.target).closest("button[data-variant]");
		if (button instanceof HTMLButtonElement && !button.disabled) handler(button.dataset.variant ?? "");
	});
}

/**
 * @param {{ pay: () => void, cancel: () => void, leaveWaitlist: () => void }} handlers
 */
export function onOrderActions({ pay, cancel, leaveWaitlist }) {
	view.pay.addEventListener("click", pay);
	view.cancelHold.addEventListener("click", cancel);
	view.leaveWaitlist.addEventListener("click", leaveWaitlist);
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
	if (sale.imageUrl) {
		// A picture that cannot be loaded is left out rather than shown broken.
		view.image.addEventListener("error", () => {
			view.image.hidden = true;
		});
		view.image.alt = sale.name;
		view.image.src = sale.imageUrl;
		view.image.hidden = false;
	}
	const sizes = sizesOf(sale);
	if (sizes.length > 0) {
		view.sizeOptions.replaceChildren(...sizes.map(sizeButton));
		view.sizes.hidden = false;
	}
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

/**
 * One size's button: its name and what is left of it.
 * @param {Variant} variant
 */
function sizeButton(variant) {
	const button = element("button", "size");
	button.type = "button";
	button.dataset.variant = variant.id;
	button.setAttribute("aria-pressed", "false");
	button.append(element("span", "size-name", variant.name), element("span", "size-left"));
	return button;
}

/**
 * @param {Sale} sale
 * @param {SizeChoice[]} choices
 * @param {string | null} chosen
 * @param {boolean} busy
 */
function renderSizes(sale, choices, chosen, busy) {
	for (const variant of sizesOf(sale)) {
		const button = view.sizeOptions.querySelector(`button[data-variant="${CSS.escape(variant.id)}"]`);
		if (!(button instanceof HTMLButtonElement)) continue;
		const left = button.querySelector(".size-left");
		if (left)
			left.textContent = variant.remaining > 0 ? `${formatCount(variant.remaining)} left` : "Sold out";
		button.dataset.soldOut = String(variant.remaining === 0);
		button.disabled = busy || !choices.some((choice) => choice.id === variant.id && choice.pickable);
		button.setAttribute("aria-pressed", String(variant.id === chosen));
	}
}

/** @param {Frame} frame */
export function render(frame) {
	const { sale, status, now, holding, canPress, busy } = frame;
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

	const offering = frame.offering ?? (status !== "ended" && status !== "sold_out");
	const waiting = frame.waiting ?? false;
	view.purchase.hidden = holding || waiting || !offering;
	view.order.hidden = !holding;
	view.waitlist.hidden = !waiting;
	if (frame.sizes) renderSizes(sale, frame.sizes, frame.chosenSize ?? null, busy);
	// Never truly disabled, so keyboard users can wait on the button.
	view.buy.setAttribute("aria-disabled", String(!canPress));
	view.buy.setAttribute("aria-busy", String(busy));
	if (frame.action === "wait") view.buy.textContent = busy ? "Joining…" : "Join the waitlist";
	else view.buy.textContent = busy ? "Buying…" : "Buy now";
	view.quantity.disabled = busy;
}

/**
 * @param {Order} order
 * @param {Sale} sale
 */
export function showOrder(order, sale) {
	view.orderId.textContent = order.id;
	const size = sizeOfOrder(sale, order);
	view.orderSize.textContent = size?.name ?? "";
	view.orderSizeRow.hidden = size === null;
	view.orderQuantity.textContent = String(order.quantity);
	view.orderTotal.textContent = formatMoney(
		order.amountCents ?? sale.priceCents * order.quantity,
		order.currency ?? sale.currency,
	);
	view.orderPaid.textContent = order.paidAt ? formatDateTime(order.paidAt) : "";
	view.orderPaidRow.hidden = !order.paidAt;
	view.orderPlaced.textContent = formatDateTime(order.createdAt);
}

/**
 * Where a live order stands: held (pay or cancel it), paid and waiting for
 * the payment's confirmation, or confirmed. A v1 order is only ever confirmed.
 * @param {OrderStage} stage
 */
export function showOrderStage(stage) {
	view.hold.hidden = stage === "confirmed";
	view.holdClock.hidden = stage !== "held";
	view.holdActions.hidden = stage !== "held";
	view.holdNote.textContent = HOLD_NOTES[stage];
	view.orderTitle.textContent = stage === "confirmed" ? "Your order" : "Your hold";
}

/**
 * The hold's "pay within m:ss", on the server's clock. The timer is not a
 * live region; the status line announces the hold once.
 * @param {number} msLeft
 */
export function showHoldClock(msLeft) {
	view.holdCountdown.textContent = formatMinutesSeconds(msLeft);
}

/**
 * Pay or Cancel under way: both wait, the one pressed says so.
 * @param {"pay" | "cancel" | null} pressed
 */
export function showOrderBusy(pressed) {
	for (const [button, name, idle, working] of /** @type {const} */ ([
		[view.pay, "pay", "Pay", "Opening payment…"],
		[view.cancelHold, "cancel", "Cancel", "Cancelling…"],
	])) {
		button.setAttribute("aria-disabled", String(pressed !== null));
		button.setAttribute("aria-busy", String(pressed === name));
		button.textContent = pressed === name ? working : idle;
	}
}

/**
 * The buyer's place on the waitlist.
 * @param {number} position 1 = next
 * @param {string | null} sizeName the size waited for, in a sale with sizes
 */
export function showWaitlistPlace(position, sizeName) {
	view.waitlistPosition.textContent = formatCount(position);
	view.waitlistSize.textContent = sizeName ? ` for ${sizeName}` : "";
}

export function focusWaitlist() {
	view.waitlistTitle.focus();
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
	else if (progress.kind === "entering") say("info", "Entering the draw…");
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
