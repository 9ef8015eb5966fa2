import { BotCheck } from "./bot-check.js";
import { backoffMs, NETWORK_FAILURE } from "./lib/api-client.js";
import { PurchaseProtocol } from "./lib/purchase-protocol.js";
import { saleStatus } from "./lib/sale-status.js";
import { ServerClock } from "./lib/server-clock.js";
import { ShopApi } from "./lib/shop-api.js";
import {
	botCheckContainer,
	chosenQuantity,
	clearRetryCountdown,
	focusOrder,
	onBuyPressed,
	render,
	say,
	showBotCheckNote,
	showLoaded,
	showMissingSale,
	showOrder,
	showProgress,
	showSaleDetails,
} from "./sale-view.js";

/**
 * The countdown page of one sale, `/sales/{saleId}`. It counts down on the
 * server's clock, opens the Buy button at the start, and hands each press to
 * the purchase protocol, then says how it ended.
 *
 * @typedef {import("./lib/api-client.js").ApiFailure} ApiFailure
 * @typedef {import("./lib/shop-api.js").Sale} Sale
 * @typedef {import("./lib/shop-api.js").Order} Order
 * @typedef {import("./lib/sale-status.js").SaleStatus} SaleStatus
 * @typedef {import("./lib/purchase-protocol.js").PurchaseResult} PurchaseResult
 * @typedef {import("./sale-view.js").Tone} Tone
 */

/** While the sale is live the stock is refreshed every 1 to 2 s, never more often. */
const LIVE_POLL_MS = 1_000;
/** Before the start the sale can still be edited; look again at most this often. */
const UPCOMING_POLL_MS = 60_000;

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
};

onBuyPressed(() => void buy());
document.addEventListener("visibilitychange", () => {
	if (document.hidden || !state.sale) return;
	// Background tabs get their timers throttled, and a device that slept
	// stopped performance.now(), so the clock is synced again as well.
	tick();
	schedulePoll(0);
	void resyncClock();
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

/** After a reload or in a second tab: the order this shopper already holds. */
async function loadOrder() {
	const { order, failure } = await protocol.heldOrder();
	if (order) {
		holdOrder(order, "success", "You already have an order in this sale.");
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

/** @param {Sale} sale */
function adoptSale(sale) {
	const firstTime = state.sale === null;
	state.sale = sale;
	if (firstTime) showSaleDetails(sale);
	redraw();
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
	render({
		sale: state.sale,
		status,
		now: clock.now(),
		holding: state.order !== null,
		canPress: canBuy(),
		busy: state.busy,
	});
}

/**
 * One-off effects of reaching a status: announcements and the stock poller.
 * @param {SaleStatus} next
 */
function enterStatus(next) {
	const previous = state.lastStatus;
	state.lastStatus = next;
	if (state.order) return;
	if (next === "live" && previous === "upcoming") {
		say("info", "The sale is open. You can buy now.");
		schedulePoll(Math.random() * LIVE_POLL_MS);
	} else if (next === "sold_out") {
		say("info", "Sold out. Every unit has been taken.");
	} else if (next === "ended") {
		say("info", "This sale has ended.");
	}
}

function canBuy() {
	return (
		state.sale !== null &&
		statusNow() === "live" &&
		!state.busy &&
		state.order === null &&
		botCheck.mode !== "unavailable"
	);
}

async function buy() {
	// The button is never truly disabled; this guard is what makes an early
	// or repeated press a no-op.
	if (!canBuy()) return;
	state.busy = true;
	redraw();
	const quantity = chosenQuantity();
	try {
		showResult(await protocol.buy(quantity), quantity);
	} finally {
		state.busy = false;
		clearRetryCountdown();
		redraw();
	}
}

/**
 * @param {PurchaseResult} result
 * @param {number} quantity
 */
function showResult(result, quantity) {
	if (result.outcome === "bought") {
		const sale = currentSale();
		sale.remaining = Math.max(0, sale.remaining - result.order.quantity);
		holdOrder(result.order, "success", "You got it! Your order is confirmed.");
		focusOrder();
	} else if (result.outcome === "already_held") {
		holdOrder(result.order, "info", "You already have an order in this sale, so nothing more was bought.");
		focusOrder();
		// Bought elsewhere (another tab): this page's stock figure predates it.
		void fetchSale();
	} else {
		explainFailure(result, quantity);
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
 * @param {Order} order
 * @param {Tone} tone
 * @param {string} message
 */
function holdOrder(order, tone, message) {
	state.order = order;
	showOrder(order, currentSale());
	say(tone, message);
	clearTimeout(state.pollTimer);
	redraw();
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
	if (!state.sale || state.order) return null;
	const status = statusNow();
	const jitter = Math.random() * LIVE_POLL_MS;
	if (status === "live") return LIVE_POLL_MS + jitter;
	if (status === "upcoming") return Math.min(state.sale.startsAt - clock.now(), UPCOMING_POLL_MS) + jitter;
	return null;
}

/** @param {number} ms */
function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
