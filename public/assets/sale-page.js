import { BotCheck } from "./bot-check.js";
import { Countdown } from "./countdown.js";
import { DrawMode } from "./draw-mode.js";
import { HoldFlow } from "./hold-flow.js";
import { backoffMs } from "./lib/api-client.js";
import { PurchaseProtocol } from "./lib/purchase-protocol.js";
import { hasHolds, isLive, sizesOf, unitsMayReturn } from "./lib/sale-sizes.js";
import { saleStatus } from "./lib/sale-status.js";
import { ServerClock } from "./lib/server-clock.js";
import { ShopApi } from "./lib/shop-api.js";
import { ALREADY_BOUGHT, heldMessage } from "./order-messages.js";
import { OrderWatch } from "./order-watch.js";
import { PressOutcomes } from "./press-outcomes.js";
import { SaleAnnouncements } from "./sale-announcements.js";
import { offering, pressAction, sizeChoices } from "./sale-offer.js";
import {
	botCheckContainer,
	chosenQuantity,
	clearRetryCountdown,
	focusOrder,
	onBuyPressed,
	onOrderActions,
	onSizePicked,
	render,
	say,
	showBotCheckNote,
	showLoaded,
	showMissingSale,
	showProgress,
	showSaleDetails,
} from "./sale-view.js";
import { StockPoll } from "./stock-poll.js";
import { WaitlistFlow } from "./waitlist-flow.js";

/**
 * The countdown page of one sale, `/sales/{saleId}`. It counts down on the
 * server's clock, opens the Buy button at the start, and hands each press to
 * the purchase protocol, then says how it ended (press-outcomes.js). In a
 * sale with sizes the buyer picks one first; in a sale with holds an order is
 * held until paid (hold-flow.js), and while the sale is sold out with units
 * held the buyer can wait in line for one to come back (waitlist-flow.js).
 * A draw sale's page enters the draw instead of buying (draw-mode.js) and
 * shows a winner's order like any other. This module wires them: it owns the
 * sale, the order shown, the countdown and the stock poll.
 *
 * @typedef {import("./lib/shop-api.js").Sale} Sale
 * @typedef {import("./lib/shop-api.js").Order} Order
 * @typedef {import("./lib/sale-status.js").SaleStatus} SaleStatus
 * @typedef {import("./sale-view.js").Tone} Tone
 */

const state = {
	/** @type {Sale | null} */
	sale: null,
	/** @type {Order | null} */
	order: null,
	/** A press is being handled; further presses are ignored until it is done. */
	busy: false,
	/** @type {string | null} The size picked, in a sale with sizes. */
	size: null,
	/** @type {DrawMode | null} The draw, in a draw sale. */
	draw: null,
};

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
const watch = new OrderWatch();
const stockPoll = new StockPoll({
	clock,
	sale: () => state.sale,
	status: statusNow,
	standing,
	isDraw: () => state.draw !== null,
	fetchSale,
});
const announcements = new SaleAnnouncements({ say, stockPoll, draw: () => state.draw, standing });
const countdown = new Countdown({ clock, sale: currentSale, status: statusNow, redraw });
/** What the page's flows all ask of it. */
const page = {
	api,
	saleId,
	clock,
	protocol,
	watch,
	sale: currentSale,
	saleOver: () => statusNow() === "ended",
	say,
	redraw,
	fetchSale,
	adoptOrder,
};
const hold = new HoldFlow({ ...page, order: () => state.order });
const outcomes = new PressOutcomes({
	...page,
	tick,
	stockPoll,
	redoBotCheck: () => botCheck.redo(),
	holdLeft: (order) => hold.left(order),
});
const waitlist = new WaitlistFlow({
	...page,
	stockPoll,
	unpickSize() {
		state.size = null;
	},
	adoptFound(order) {
		// Handed over from the waitlist (held) or bought in another tab.
		adoptOrder(
			order,
			order.status === "held" ? heldMessage("handed_over", hold.left(order)) : ALREADY_BOUGHT,
		);
		focusOrder();
	},
	refreshOrder: () => hold.refresh(),
	explain: (result) => outcomes.explain(result, 1),
});

onBuyPressed(() => void press());
onSizePicked((variantId) => {
	state.size = variantId;
	redraw();
});
onOrderActions({
	pay: () => void hold.pay(),
	cancel: () => void hold.cancel(),
	leaveWaitlist: () => void waitlist.leave(),
});
window.addEventListener("pageshow", (event) => {
	if (event.persisted && state.sale) hold.restored();
});
document.addEventListener("visibilitychange", () => {
	if (document.hidden || !state.sale) return;
	// Background tabs get their timers throttled, and a device that slept
	// stopped performance.now(), so the clock is synced again as well.
	tick();
	stockPoll.schedule(0);
	void resyncClock();
	hold.visible();
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
	stockPoll.resume();
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

function tick() {
	countdown.tick();
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
	if (hold.arrive(order)) return;
	if (order) {
		state.order = order;
		const [tone, message] = hold.endMessage(order);
		say(tone, message);
	}
	if (order || !failure) {
		// Only with someone waiting can this shopper be one of them.
		if (hasHolds(currentSale()) && (currentSale().waitlist ?? 0) > 0) await waitlist.load();
		return;
	}
	// No session yet (or an expired one): sign in as a guest now, so that the
	// press at the start does not wait for it.
	if (failure?.code === "unauthenticated") {
		void protocol.ensureSession().then((session) => {
			if (session.outcome !== "signed_in") outcomes.explain(session, 1);
		});
	}
}

/** @param {Sale} sale */
function adoptSale(sale) {
	const firstTime = state.sale === null;
	state.sale = sale;
	if (firstTime) showSaleDetails(sale);
	if (firstTime && sale.mode === "draw") state.draw = newDrawMode();
	// A size picked and since gone for good is unpicked.
	if (
		state.size !== null &&
		!sizeChoices(sale, (id) => waitlist.isGone(id)).some(
			(choice) => choice.id === state.size && choice.pickable,
		)
	) {
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

function redraw() {
	if (!state.sale) return;
	const status = statusNow();
	announcements.update(state.sale, status);
	render({
		sale: state.sale,
		status,
		now: clock.now(),
		holding: holding(),
		canPress: canBuy(),
		busy: state.busy,
		offering: offering(state.sale, status),
		action: pressAction(state.sale, state.size),
		waiting: waitlist.waiting,
		sizes: sizeChoices(state.sale, (id) => waitlist.isGone(id)),
		chosenSize: state.size,
	});
	state.draw?.render(state.busy);
}

/** Whether the shopper holds a live order (held or confirmed). */
function holding() {
	return isLive(state.order);
}

/** Whether the shopper holds an order or waits in line: their own standing is what the page shows. */
function standing() {
	return holding() || waitlist.waiting;
}

function canBuy() {
	if (state.sale === null || state.busy || standing()) return false;
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
	const pressed = pressAction(currentSale(), state.size);
	redraw();
	const quantity = chosenQuantity();
	const variantId = sizesOf(currentSale()).length > 0 ? state.size : null;
	try {
		if (state.draw) {
			const refusal = await state.draw.enter(quantity, variantId);
			if (refusal) outcomes.explain(refusal, quantity);
		} else if (pressed === "wait")
			waitlist.joined(await protocol.joinWaitlist(quantity, variantId), variantId);
		else outcomes.purchase(await protocol.buy(quantity, variantId), quantity, variantId);
	} finally {
		state.busy = false;
		clearRetryCountdown();
		redraw();
	}
}

/** @param {import("./bot-check.js").BotCheckEvent} event */
function onBotCheckEvent(event) {
	showBotCheckNote(event);
	if (event === "unavailable") outcomes.explainBotCheckUnavailable();
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
	watch.stop();
	hold.adopt(order);
	if (isLive(order)) {
		waitlist.clear();
		stockPoll.stop();
	} else {
		// Its units went back: the stock figure is stale.
		void fetchSale().then(() => stockPoll.resume());
	}
	say(tone, message);
	redraw();
}

/** @param {number} ms */
function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
