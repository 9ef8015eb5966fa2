import { BotCheck } from "./bot-check.js";
import { DrawMode } from "./draw-mode.js";
import { backoffMs, NETWORK_FAILURE, pollDelayMs } from "./lib/api-client.js";
import { PurchaseProtocol } from "./lib/purchase-protocol.js";
import { hasHolds, isLive, sizesOf, unitsMayReturn } from "./lib/sale-sizes.js";
import { saleStatus } from "./lib/sale-status.js";
import { ServerClock } from "./lib/server-clock.js";
import { ShopApi } from "./lib/shop-api.js";
import {
	ALREADY_BOUGHT,
	arrivalMessage,
	endMessage as endMessageOf,
	heldMessage,
	PAID,
} from "./order-messages.js";
import {
	botCheckContainer,
	chosenQuantity,
	clearRetryCountdown,
	focusOrder,
	focusWaitlist,
	onBuyPressed,
	onOrderActions,
	onSizePicked,
	render,
	say,
	showBotCheckNote,
	showHoldClock,
	showLoaded,
	showMissingSale,
	showOrder,
	showOrderBusy,
	showOrderStage,
	showProgress,
	showSaleDetails,
	showWaitlistPlace,
} from "./sale-view.js";

/**
 * The countdown page of one sale, `/sales/{saleId}`. It counts down on the
 * server's clock, opens the Buy button at the start, and hands each press to
 * the purchase protocol, then says how it ended. In a sale with sizes the
 * buyer picks one first; in a sale with holds an order is held until paid
 * (a "pay within m:ss" clock, Pay and Cancel), and while the sale is sold
 * out with units held the buyer can wait in line for one to come back.
 * A draw sale's page enters the draw instead of buying (draw-mode.js) and
 * shows a winner's order like any other.
 *
 * @typedef {import("./lib/api-client.js").ApiFailure} ApiFailure
 * @typedef {import("./lib/shop-api.js").Sale} Sale
 * @typedef {import("./lib/shop-api.js").Order} Order
 * @typedef {import("./lib/sale-status.js").SaleStatus} SaleStatus
 * @typedef {import("./lib/purchase-protocol.js").PurchaseResult} PurchaseResult
 * @typedef {import("./lib/purchase-protocol.js").WaitlistResult} WaitlistResult
 * @typedef {import("./sale-view.js").Tone} Tone
 * @typedef {import("./sale-view.js").Action} Action
 */

/** While the sale is live the stock is refreshed every 1 to 2 s, never more often. */
const LIVE_POLL_MS = 1_000;
/** Before the start the sale can still be edited; look again at most this often. */
const UPCOMING_POLL_MS = 60_000;
/** Sold out while units are held: units may come back, but no one is buying; look less often. */
const SOLD_OUT_POLL_MS = 3_000;
/** A waiting buyer's place in line, and the order after a payment, are asked for at most this often. */
const WATCH_POLL_MS = 2_000;
/**
 * How the page was reached back from a checkout (the Stripe success and
 * cancel URLs, and the test payment page): `?checkout=success|cancel`.
 */
const returnedFrom = new URLSearchParams(location.search).get("checkout");

const saleId = decodeURIComponent(location.pathname.split("/")[2] ?? "");
const api = new ShopApi();
const clock = new ServerClock(api);
const botCheck = new BotCheck(botCheckContainer, onBotCheckEvent);
const protocol = new PurchaseProtocol({
	api,
	saleId,
	clock,
	startsAt: () => currentSale().startsAt,
	botCheckToken: () => botCheck.token(),
	onProgress: showProgress,
});

const state = {
	/** @type {Sale | null} */
	sale: null,
	/** @type {Order | null} */
	order: null,
	/** A press is being handled; further presses are ignored until it is done. */
	busy: false,
	/** @type {SaleStatus | null} */
	lastStatus: null,
	/** @type {ReturnType<typeof setTimeout> | undefined} */
	tickTimer: undefined,
	/** @type {ReturnType<typeof setTimeout> | undefined} */
	pollTimer: undefined,
	/** @type {string | null} The size picked, in a sale with sizes. */
	size: null,
	/** Sizes the server said cannot come back (sold out with none held). */
	gone: /** @type {Set<string>} */ (new Set()),
	/** @type {{ position: number, variantId: string | null } | null} The place in line, while waiting. */
	waiting: null,
	/** Back from a checkout: the order is paid and its confirmation is awaited. */
	confirming: false,
	/** Pay or Cancel is under way. */
	orderBusy: false,
	/** Whether the sale, when last drawn, could get units back. */
	mayReturn: false,
	/** @type {ReturnType<typeof setTimeout> | undefined} The hold's clock. */
	holdTimer: undefined,
	/** @type {ReturnType<typeof setTimeout> | undefined} Polls of the place in line, or of a paid order. */
	watchTimer: undefined,
	/** @type {DrawMode | null} The draw, in a draw sale. */
	draw: null,
};

onBuyPressed(() => void press());
onSizePicked((variantId) => {
	state.size = variantId;
	redraw();
});
onOrderActions({
	pay: () => void pay(),
	cancel: () => void cancel(),
	leaveWaitlist: () => void leaveWaitlist(),
});
// Back from the payment page through the browser's history: the page comes
// from its cache as it was left, with Pay still busy.
window.addEventListener("pageshow", (event) => {
	if (!event.persisted || !state.sale) return;
	state.orderBusy = false;
	showOrderBusy(null);
	void refreshOrder();
});
document.addEventListener("visibilitychange", () => {
	if (document.hidden || !state.sale) return;
	// Background tabs get their timers throttled, and a device that slept
	// stopped performance.now(), so the clock is synced again as well.
	tick();
	schedulePoll(0);
	void resyncClock();
	// A hold may have been paid or cancelled in another tab meanwhile.
	if (state.order?.status === "held" && !state.confirming) void refreshOrder();
});

void start();

async function start() {
	const [config, found] = await Promise.all([api.config(), loadSale(), clock.sync()]);
	if (!found) return;
	void botCheck.start(
		config.ok ? config.data.turnstileSiteKey : "",
		config.ok ? config.data.turnstileAction : "",
	);
	tick();
	await loadOrder();
	await state.draw?.load();
	showLoaded();
	schedulePoll(pollDelay());
}

/**
 * The public view of the sale; retried while the network or server is down.
 * @returns {Promise<boolean>} false if there is no such sale
 */
async function loadSale() {
	for (;;) {
		const outcome = await fetchSale();
		if (outcome.ok) return true;
		if (outcome.code === "sale_not_found") {
			showMissingSale();
			return false;
		}
		say("warning", "We can't reach the shop right now. Trying again…");
		await sleep(backoffMs(outcome.retryAfterMs ?? 2_000));
	}
}

/**
 * One `GET /api/sales/{id}`: adopts the sale, and syncs the clock again if
 * the server's time that came with it says the clock has fallen out of step.
 */
async function fetchSale() {
	const sentAt = performance.now();
	const outcome = await api.sale(saleId);
	if (!outcome.ok) return outcome;
	if (clock.isOff(outcome.data.serverTime, sentAt, performance.now())) void resyncClock();
	adoptSale(outcome.data.sale);
	return outcome;
}

async function resyncClock() {
	await clock.sync();
	if (state.sale) tick();
}

/**
 * After a reload, in a second tab, or back from a checkout: the order this
 * shopper holds, or their place on the waitlist.
 */
async function loadOrder() {
	const { order, failure } = await protocol.heldOrder();
	if (returnedFrom !== null) history.replaceState(null, "", location.pathname);
	if (order && isLive(order)) {
		adoptOrder(order, arrivalMessage(order, holdLeft(order), checkoutReturn()));
		if (order.status === "held" && returnedFrom === "success") awaitConfirmation();
		return;
	}
	if (order) {
		state.order = order;
		const [tone, message] = endMessage(order);
		say(tone, message);
	}
	if (order || !failure) {
		// Only with someone waiting can this shopper be one of them.
		if (hasHolds(currentSale()) && (currentSale().waitlist ?? 0) > 0) await loadWaitlistPlace();
		return;
	}
	// No session yet (or an expired one): sign in as a guest now, so that the
	// press at the start does not wait for it.
	if (failure?.code === "unauthenticated") {
		void protocol.ensureSession().then((session) => {
			if (session.outcome !== "signed_in") explainFailure(session, 1);
		});
	}
}

/**
 * What to say about an order that is over, on this page as it stands.
 * @param {Order} order
 */
function endMessage(order) {
	return endMessageOf(order, checkoutReturn(), statusNow() === "ended");
}

/** @returns {import("./order-messages.js").CheckoutReturn} */
function checkoutReturn() {
	return returnedFrom === "success" || returnedFrom === "cancel" ? returnedFrom : null;
}

/** On arrival, with people waiting: whether this shopper is one of them. */
async function loadWaitlistPlace() {
	const outcome = await api.waitlistPosition(saleId);
	if (outcome.ok) enterWaitlist(outcome.data.position, null);
}

/** @param {Sale} sale */
function adoptSale(sale) {
	const firstTime = state.sale === null;
	state.sale = sale;
	if (firstTime) showSaleDetails(sale);
	if (firstTime && sale.mode === "draw") state.draw = newDrawMode();
	// A size picked and since gone for good is unpicked.
	if (state.size !== null && !sizeChoices().some((choice) => choice.id === state.size && choice.pickable)) {
		state.size = null;
	}
	redraw();
}

function newDrawMode() {
	return new DrawMode({
		api,
		saleId,
		clock,
		protocol,
		sale: currentSale,
		say,
		liveOrder: () => (isLive(state.order) ? state.order : null),
		onWon(order, message) {
			adoptOrder(order, message);
			focusOrder();
		},
		onChange: redraw,
		onDrawn: () => void fetchSale(),
	});
}

/** @returns {Sale} the sale, once loaded; nothing that needs it runs before */
function currentSale() {
	if (!state.sale) throw new Error("The sale is not loaded yet");
	return state.sale;
}

/** @returns {SaleStatus} */
function statusNow() {
	return saleStatus(currentSale(), clock.now());
}

/**
 * Redraws the countdown and then sleeps until the display next changes: the
 * next tenth of a second in the last minute, the next second before it. The
 * start itself always falls on such a boundary, so the button opens on time.
 */
function tick() {
	clearTimeout(state.tickTimer);
	redraw();
	const sale = currentSale();
	const status = statusNow();
	const target = status === "upcoming" ? sale.startsAt : status === "ended" ? null : sale.endsAt;
	if (target === null) return;
	const left = target - clock.now();
	const step = left <= 60_000 ? 100 : 1_000;
	// +1 ms lands just past the boundary rather than a hair before it.
	state.tickTimer = setTimeout(tick, (left % step || step) + 1);
}

function redraw() {
	if (!state.sale) return;
	const status = statusNow();
	if (state.lastStatus !== status) enterStatus(status);
	const mayReturn = unitsMayReturn(state.sale);
	if (state.mayReturn && !mayReturn && status === "sold_out" && !holding() && !state.waiting) {
		say("info", "Sold out. Every unit has been taken.");
	}
	state.mayReturn = mayReturn;
	render({
		sale: state.sale,
		status,
		now: clock.now(),
		holding: holding(),
		canPress: canBuy(),
		busy: state.busy,
		offering: offering(),
		action: action(),
		waiting: state.waiting !== null,
		sizes: sizeChoices(),
		chosenSize: state.size,
	});
	state.draw?.render(state.busy);
}

/** Whether the shopper holds a live order (held or confirmed). */
function holding() {
	return isLive(state.order);
}

/** Whether the purchase controls are shown: before and during the sale, and while units may come back. */
function offering() {
	const status = statusNow();
	return status !== "ended" && (status !== "sold_out" || unitsMayReturn(currentSale()));
}

/**
 * The sizes and whether each can be picked: one with units left, or, while
 * units are held, one sold out that a waiting buyer may still get.
 */
function sizeChoices() {
	const sale = currentSale();
	const mayReturn = unitsMayReturn(sale);
	return sizesOf(sale).map((variant) => ({
		id: variant.id,
		pickable: variant.remaining > 0 || (mayReturn && !state.gone.has(variant.id)),
	}));
}

/**
 * What a press does: buy what is left, or join the waitlist for what is
 * sold out while units of it are held.
 * @returns {Action}
 */
function action() {
	const sale = currentSale();
	const sizes = sizesOf(sale);
	const left =
		sizes.length === 0
			? sale.remaining
			: (sizes.find((variant) => variant.id === state.size)?.remaining ?? 1);
	return left === 0 && unitsMayReturn(sale) ? "wait" : "buy";
}

/**
 * One-off effects of reaching a status: announcements and the stock poller.
 * @param {SaleStatus} next
 */
function enterStatus(next) {
	const previous = state.lastStatus;
	state.lastStatus = next;
	if (holding() || state.waiting) return;
	if (state.draw) {
		if (next === "live" && previous === "upcoming")
			say("info", "Entries are open. You can enter the draw now.");
		else if (next === "ended") state.draw.closed();
		return;
	}
	if (next === "live" && previous === "upcoming") {
		say("info", "The sale is open. You can buy now.");
		schedulePoll(Math.random() * LIVE_POLL_MS);
	} else if (next === "live" && previous === "sold_out") {
		say("info", "Units came back. You can buy now.");
	} else if (next === "sold_out" && unitsMayReturn(currentSale())) {
		say(
			"info",
			"Sold out for now. Units held by others come back if they are not paid for: join the waitlist to be next.",
		);
		schedulePoll(SOLD_OUT_POLL_MS);
	} else if (next === "sold_out") {
		say("info", "Sold out. Every unit has been taken.");
	} else if (next === "ended") {
		say("info", "This sale has ended.");
	}
}

function canBuy() {
	if (state.sale === null || state.busy || holding() || state.waiting) return false;
	if (botCheck.mode === "unavailable") return false;
	if (state.draw && !state.draw.canEnter) return false;
	const status = statusNow();
	if (status !== "live" && !(status === "sold_out" && unitsMayReturn(state.sale))) return false;
	return sizesOf(state.sale).length === 0 || state.size !== null;
}

async function press() {
	// The button is never truly disabled; this guard is what makes an early
	// or repeated press a no-op.
	if (!canBuy()) return;
	state.busy = true;
	const pressed = action();
	redraw();
	const quantity = chosenQuantity();
	const variantId = sizesOf(currentSale()).length > 0 ? state.size : null;
	try {
		if (state.draw) {
			const refusal = await state.draw.enter(quantity, variantId);
			if (refusal) explainFailure(refusal, quantity);
		} else if (pressed === "wait")
			showWaitlistResult(await protocol.joinWaitlist(quantity, variantId), variantId);
		else showResult(await protocol.buy(quantity, variantId), quantity, variantId);
	} finally {
		state.busy = false;
		clearRetryCountdown();
		redraw();
	}
}

/**
 * @param {PurchaseResult} result
 * @param {number} quantity
 * @param {string | null} variantId
 */
function showResult(result, quantity, variantId) {
	if (result.outcome === "bought") {
		const sale = currentSale();
		sale.remaining = Math.max(0, sale.remaining - result.order.quantity);
		const size = sizesOf(sale).find((variant) => variant.id === result.order.variantId);
		if (size) size.remaining = Math.max(0, size.remaining - result.order.quantity);
		if (result.order.status === "held")
			adoptOrder(result.order, heldMessage("bought", holdLeft(result.order)));
		else adoptOrder(result.order, ["success", "You got it! Your order is confirmed."]);
		focusOrder();
	} else if (result.outcome === "already_held") {
		adoptOrder(result.order, ["info", "You already have an order in this sale, so nothing more was bought."]);
		focusOrder();
		// Bought elsewhere (another tab): this page's stock figure predates it.
		void fetchSale();
	} else if (result.outcome === "refused" && result.failure.code === "sold_out" && variantId !== null) {
		explainSizeSoldOut(result.failure, variantId);
	} else {
		explainFailure(result, quantity);
	}
}

/**
 * The size picked sold out: say which are still to be had, and look again,
 * since the waitlist may be open for it.
 * @param {ApiFailure} failure
 * @param {string} variantId
 */
function explainSizeSoldOut(failure, variantId) {
	const sizes = sizesOf(currentSale());
	const available = Array.isArray(failure.details.available) ? failure.details.available : [];
	for (const variant of sizes) {
		if (!available.includes(variant.id)) variant.remaining = 0;
	}
	const soldOut = sizes.find((variant) => variant.id === variantId);
	const others = sizes.filter((variant) => available.includes(variant.id)).map((variant) => variant.name);
	redraw();
	say(
		"error",
		`${soldOut?.name ?? "This size"} just sold out.${others.length > 0 ? ` Still available: ${others.join(", ")}.` : ""}`,
	);
	schedulePoll(0);
}

/**
 * @param {WaitlistResult} result
 * @param {string | null} variantId
 */
function showWaitlistResult(result, variantId) {
	if (result.outcome === "waiting") {
		enterWaitlist(result.position, variantId);
		say("success", "You are on the waitlist. This page shows the hold if a unit comes back to you.");
		focusWaitlist();
		return;
	}
	if (result.outcome === "no_bot_check") {
		explainBotCheckUnavailable();
		return;
	}
	const { failure } = result;
	if (failure.code === "not_sold_out") {
		say("info", "One is available right now, so there is no need to wait: press Buy now.");
		schedulePoll(0);
	} else if (failure.code === "sold_out") {
		state.gone.add(variantId ?? "");
		if (variantId !== null) state.size = null;
		else currentSale().held = 0;
		redraw();
		say("info", "Sold out for good: nobody holds one that could come back.");
		schedulePoll(0);
	} else if (failure.code === "has_order") {
		void refreshOrder();
	} else {
		explainFailure(result, 1);
	}
}

/**
 * Every refusal in the contract gets its own words.
 * @param {{ outcome: "refused", failure: ApiFailure } | { outcome: "no_bot_check" }} result
 * @param {number} quantity
 */
function explainFailure(result, quantity) {
	if (result.outcome === "no_bot_check") {
		explainBotCheckUnavailable();
		return;
	}
	const { failure } = result;
	const sale = currentSale();
	let message = `Something went wrong: ${failure.message}`;
	switch (failure.code) {
		case "sold_out":
			if (quantity > 1) {
				message = `There are not ${quantity} left. Try a smaller quantity.`;
				schedulePoll(0);
			} else if (hasHolds(sale)) {
				// Units of held orders may come back: look again, for the waitlist.
				sale.remaining = 0;
				message = "Sold out. Every unit is taken, but held ones come back if they are not paid for.";
				schedulePoll(0);
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
				tick();
			}
			message = "The sale has not opened yet. Watch the countdown.";
			break;
		}
		case "ended":
			sale.endsAt = Math.min(sale.endsAt, clock.now());
			message = "Too late: this sale has ended.";
			break;
		case "bot_check_failed":
			botCheck.redo();
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
	redraw();
	say("error", message);
}

function explainBotCheckUnavailable() {
	say(
		"error",
		"The bot check is unavailable, so buying is not possible right now. Please reload the page later.",
	);
}

/** @param {import("./bot-check.js").BotCheckEvent} event */
function onBotCheckEvent(event) {
	showBotCheckNote(event);
	if (event === "unavailable") explainBotCheckUnavailable();
	redraw();
}

/**
 * Shows the order as it now stands and says so: a live order stops the
 * stock poll and, while held, runs the hold's clock; an order that is over
 * gives the page back to buying.
 * @param {Order} order
 * @param {[Tone, string]} message
 */
function adoptOrder(order, [tone, message]) {
	state.order = order;
	stopWatching();
	clearTimeout(state.holdTimer);
	if (isLive(order)) {
		state.waiting = null;
		state.confirming = state.confirming && order.status === "held";
		showOrder(order, currentSale());
		showOrderStage(order.status !== "held" ? "confirmed" : state.confirming ? "confirming" : "held");
		clearTimeout(state.pollTimer);
		if (order.status === "held") tickHold();
	} else {
		state.confirming = false;
		// Its units went back: the stock figure is stale.
		void fetchSale().then(() => schedulePoll(pollDelay()));
	}
	say(tone, message);
	redraw();
}

/** @param {Order} order milliseconds until the hold runs out, on the server's clock */
function holdLeft(order) {
	return (order.holdExpiresAt ?? 0) - clock.now();
}

/**
 * Redraws "pay within m:ss" and sleeps until it next changes. At zero the
 * server is asked how the hold ended: it settles a hold due before it
 * answers, and a payment may have come in at the last moment.
 */
function tickHold() {
	clearTimeout(state.holdTimer);
	const order = state.order;
	if (order?.status !== "held" || state.confirming) return;
	const left = holdLeft(order);
	showHoldClock(left);
	if (left <= 0) {
		void refreshOrder();
		return;
	}
	state.holdTimer = setTimeout(tickHold, (left % 1000 || 1000) + 1);
}

/**
 * Asks how the shopper's order stands now and shows it; while the answer
 * is "still held" past the deadline (clocks a hair apart), asks again.
 */
async function refreshOrder() {
	stopWatching();
	const outcome = await api.order(saleId);
	if (!outcome.ok) {
		if (outcome.code !== "no_order") watchAgain(refreshOrder, outcome);
		return;
	}
	const order = outcome.data.order;
	const was = state.order;
	if (order.status === "held") {
		if (was?.id !== order.id) {
			// A unit came back to this shopper from the waitlist.
			adoptOrder(order, heldMessage("handed_over", holdLeft(order)));
			focusOrder();
		} else if (holdLeft(order) <= 0) {
			watchAgain(refreshOrder, outcome);
		}
		return;
	}
	if (was?.id === order.id && was.status === order.status) return;
	adoptOrder(order, order.status === "confirmed" ? PAID : endMessage(order));
}

/**
 * Back from a checkout with the order still held: the payment's result
 * (Stripe's webhook) is on its way. Ask until the order is confirmed, or
 * expired because no payment came.
 */
function awaitConfirmation() {
	state.confirming = true;
	showOrderStage("confirming");
	clearTimeout(state.holdTimer);
	watchAgain(confirmation, null);
}

async function confirmation() {
	const outcome = await api.order(saleId);
	if (!outcome.ok || outcome.data.order.status === "held") {
		watchAgain(confirmation, outcome);
		return;
	}
	const order = outcome.data.order;
	adoptOrder(order, order.status === "confirmed" ? PAID : endMessage(order));
	focusOrder();
}

/**
 * @param {number} position
 * @param {string | null} variantId
 */
function enterWaitlist(position, variantId) {
	state.waiting = { position, variantId };
	clearTimeout(state.pollTimer);
	const size = sizesOf(currentSale()).find((variant) => variant.id === variantId);
	showWaitlistPlace(position, size?.name ?? null);
	redraw();
	watchAgain(waitlistPlace, null);
}

/**
 * The waiting shopper's place, asked for every few seconds. Off the list
 * means a unit came to them (a held order) or the wait is over (the sale
 * ended, or they bought in another tab).
 */
async function waitlistPlace() {
	const waiting = state.waiting;
	if (!waiting) return;
	const outcome = await api.waitlistPosition(saleId);
	if (state.waiting !== waiting) return;
	if (outcome.ok) {
		waiting.position = outcome.data.position;
		const size = sizesOf(currentSale()).find((variant) => variant.id === waiting.variantId);
		showWaitlistPlace(waiting.position, size?.name ?? null);
		watchAgain(waitlistPlace, outcome);
		return;
	}
	if (outcome.code !== "not_waiting") {
		watchAgain(waitlistPlace, outcome);
		return;
	}
	const order = await api.order(saleId);
	if (order.ok && isLive(order.data.order)) {
		refreshFrom(order.data.order);
		return;
	}
	if (!order.ok && order.code !== "no_order") {
		// Off the list, and the order could not be read: ask both again.
		watchAgain(waitlistPlace, order);
		return;
	}
	state.waiting = null;
	await fetchSale();
	say(
		"info",
		statusNow() === "ended"
			? "The sale ended before a unit came back."
			: "You are no longer on the waitlist.",
	);
	schedulePoll(pollDelay());
	redraw();
}

/**
 * A live order found while waiting: handed over from the waitlist (held) or
 * bought in another tab.
 * @param {Order} order
 */
function refreshFrom(order) {
	adoptOrder(order, order.status === "held" ? heldMessage("handed_over", holdLeft(order)) : ALREADY_BOUGHT);
	focusOrder();
}

async function leaveWaitlist() {
	if (!state.waiting) return;
	const outcome = await api.leaveWaitlist(saleId);
	if (!outcome.ok && outcome.code !== "not_waiting") {
		say("error", `You are still on the waitlist: ${outcome.message}`);
		return;
	}
	state.waiting = null;
	stopWatching();
	say("info", "You left the waitlist.");
	await fetchSale();
	schedulePoll(pollDelay());
}

async function pay() {
	if (state.orderBusy || state.order?.status !== "held") return;
	state.orderBusy = true;
	showOrderBusy("pay");
	const outcome = await protocol.checkout();
	if (outcome.ok) {
		// Leaving for the payment page; Pay stays busy until then.
		location.assign(outcome.data.checkoutUrl);
		return;
	}
	state.orderBusy = false;
	showOrderBusy(null);
	if (outcome.code === "not_held") await refreshOrder();
	else if (outcome.code === "payment_unavailable") {
		say("error", "Payment is not available right now. Your hold keeps running: try Pay again in a moment.");
	} else say("error", `The payment could not be started: ${outcome.message}`);
}

async function cancel() {
	if (state.orderBusy || state.order?.status !== "held") return;
	state.orderBusy = true;
	showOrderBusy("cancel");
	const outcome = await protocol.cancel();
	state.orderBusy = false;
	showOrderBusy(null);
	if (outcome.ok) adoptOrder(outcome.data.order, endMessage(outcome.data.order));
	else if (outcome.code === "not_held") await refreshOrder();
	else say("error", `The hold could not be cancelled: ${outcome.message}`);
}

/**
 * Runs `poll` again after the watch period, or after what the server asked
 * for if it said "not now"; one watch at a time.
 * @param {() => Promise<void>} poll
 * @param {import("./lib/api-client.js").ApiOutcome<unknown> | null} last the answer to the last poll
 */
function watchAgain(poll, last) {
	clearTimeout(state.watchTimer);
	const delay = last === null ? WATCH_POLL_MS : pollDelayMs(last, WATCH_POLL_MS);
	state.watchTimer = setTimeout(() => void poll(), delay);
}

function stopWatching() {
	clearTimeout(state.watchTimer);
}

/**
 * Keeps the stock figure fresh while it can change: every 1 to 2 s during
 * the sale, rarely before it, never once it is over, the shopper holds an
 * order, or the tab is hidden. The jitter keeps a crowd of open pages from
 * polling in step.
 * @param {number | null} delay
 */
function schedulePoll(delay) {
	clearTimeout(state.pollTimer);
	if (delay === null) return;
	state.pollTimer = setTimeout(poll, delay);
}

async function poll() {
	if (document.hidden || pollDelay() === null) return;
	await fetchSale();
	schedulePoll(pollDelay());
}

/** @returns {number | null} */
function pollDelay() {
	if (!state.sale || holding() || state.waiting) return null;
	const status = statusNow();
	const jitter = Math.random() * LIVE_POLL_MS;
	// A draw takes no stock while entries are open: nothing to refresh until the draw.
	if (state.draw && status !== "upcoming") return null;
	if (status === "live") return LIVE_POLL_MS + jitter;
	if (status === "sold_out" && unitsMayReturn(state.sale)) return SOLD_OUT_POLL_MS + jitter;
	if (status === "upcoming") return Math.min(state.sale.startsAt - clock.now(), UPCOMING_POLL_MS) + jitter;
	return null;
}

/** @param {number} ms */
function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
