import { backoffMs, callApi, NETWORK_FAILURE } from "./api.js";
import { BotCheck } from "./bot-check.js";
import { formatCountdown, formatDateTime, formatMoney } from "./format.js";
import { ServerClock } from "./server-clock.js";

/**
 * The countdown page of one sale, `/sales/{saleId}`. It counts down on the
 * server's clock, opens the Buy button at the start, and turns one press into
 * at most one purchase-token and one purchase request (plus the retries the
 * server asks for with Retry-After).
 *
 * @typedef {import("./api.js").ApiOutcome} ApiOutcome
 * @typedef {import("./api.js").ApiFailure} ApiFailure
 * @typedef {{ id: string, name: string, description: string, priceCents: number, currency: string,
 *             startsAt: number, endsAt: number, totalStock: number, remaining: number,
 *             maxPerUser: number, status: string }} Sale
 * @typedef {{ id: string, quantity: number, createdAt: number }} Order
 * @typedef {"upcoming" | "live" | "sold_out" | "ended"} Phase
 * @typedef {"info" | "success" | "warning" | "error"} Tone
 */

/** Answers that mean "not now": wait for Retry-After, then ask again. */
const RETRY_LATER = new Set(["rate_limited", "overloaded", "bot_check_unavailable", "unavailable"]);
/** A press this early is a clock out of step, worth waiting out; any earlier is a moved start. */
const MAX_EARLY_MS = 5_000;
/** A purchase token this close to expiry is not worth sending. */
const TOKEN_MARGIN_MS = 5_000;
/** While the sale is live the stock is refreshed every 1 to 2 s, never more often. */
const LIVE_POLL_MS = 1_000;
/** Before the start the sale can still be edited; look again at most this often. */
const UPCOMING_POLL_MS = 60_000;

const BADGES = /** @type {const} */ ({
	upcoming: ["Upcoming", "neutral"],
	live: ["Live now", "live"],
	sold_out: ["Sold out", "over"],
	ended: ["Ended", "over"],
});

const saleId = decodeURIComponent(location.pathname.split("/")[2] ?? "");
const saleApi = `/api/sales/${encodeURIComponent(saleId)}`;

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

const clock = new ServerClock();
const botCheck = new BotCheck(byId("bot-check-widget"), showBotCheck);

const state = {
	/** @type {Sale | null} */
	sale: null,
	/** @type {Order | null} */
	order: null,
	/** A press is being handled; further presses are ignored until it is done. */
	busy: false,
	signedIn: false,
	/** @type {Promise<boolean> | null} */
	signingIn: null,
	/**
	 * Kept after a network failure so that pressing again does not need a new one.
	 * @type {{ token: string, expiresAt: number } | null}
	 */
	purchaseToken: null,
	/** @type {Phase | null} */
	lastPhase: null,
	/** @type {ReturnType<typeof setTimeout> | undefined} */
	tickTimer: undefined,
	/** @type {ReturnType<typeof setTimeout> | undefined} */
	pollTimer: undefined,
};

view.buy.addEventListener("click", () => {
	void buy();
});
document.addEventListener("visibilitychange", () => {
	// Background tabs get their timers throttled; catch up on return.
	if (document.hidden || !state.sale) return;
	tick();
	schedulePoll(0);
});

void start();

async function start() {
	const [config, saleOutcome] = await Promise.all([callApi("/api/config"), loadSale(), clock.sync()]);
	if (!saleOutcome) return;
	void botCheck.start(config.ok ? String(config.data.turnstileSiteKey) : "");
	view.body.hidden = false;
	tick();
	await loadOrder();
	view.main.setAttribute("aria-busy", "false");
	schedulePoll(pollDelay());
}

/**
 * The public view of the sale; retried while the network or server is down.
 * @returns {Promise<boolean>} false if there is no such sale
 */
async function loadSale() {
	for (;;) {
		const outcome = await callApi(saleApi);
		if (outcome.ok) {
			adoptSale(outcome.data);
			return true;
		}
		if (outcome.code === "sale_not_found") {
			showMissingSale();
			return false;
		}
		say("warning", "We can't reach the shop right now. Trying again…");
		await sleep(backoffMs(outcome.retryAfterMs ?? 2_000));
	}
}

/** After a reload or in a second tab: the order this shopper already holds. */
async function loadOrder() {
	const outcome = await callApi(`${saleApi}/order`);
	if (outcome.ok) {
		state.signedIn = true;
		showOrder(outcome.data.order, "success", "You already have an order in this sale.");
		return;
	}
	if (outcome.code === "no_order") {
		state.signedIn = true;
		return;
	}
	// No session yet (or an expired one): sign in as a guest now, so that the
	// press at the start does not wait for it.
	if (outcome.code === "unauthenticated") void ensureSession();
}

/** @param {{ sale: Sale, serverTime: number }} data */
function adoptSale(data) {
	clock.adoptIfUnsynced(data.serverTime);
	const firstTime = state.sale === null;
	state.sale = data.sale;
	if (firstTime) showSaleDetails(data.sale);
	render();
}

/** @param {Sale} sale */
function showSaleDetails(sale) {
	document.title = `${sale.name} · Doorbuster`;
	// Names and descriptions come from the admin API: text, never markup.
	view.name.textContent = sale.name;
	view.description.textContent = sale.description;
	view.price.textContent = formatMoney(sale.priceCents, sale.currency);
	if (sale.maxPerUser > 1) {
		for (let quantity = 1; quantity <= sale.maxPerUser; quantity++) {
			view.quantity.append(new Option(String(quantity), String(quantity)));
		}
		view.quantityField.hidden = false;
	}
}

function showMissingSale() {
	document.title = "Sale not found · Doorbuster";
	view.badge.textContent = "Not found";
	view.badge.dataset.tone = "neutral";
	view.name.textContent = "There is no such sale";
	view.description.textContent = "Check the link, or see the sales that are on now.";
	view.main.setAttribute("aria-busy", "false");
}

/** @returns {Phase} */
function phase() {
	const sale = /** @type {Sale} */ (state.sale);
	const now = clock.now();
	if (now < sale.startsAt) return "upcoming";
	if (now >= sale.endsAt) return "ended";
	return sale.remaining <= 0 ? "sold_out" : "live";
}

/**
 * Redraws the countdown and then sleeps until the display next changes: the
 * next tenth of a second in the last minute, the next second before it. The
 * start itself always falls on such a boundary, so the button opens on time.
 */
function tick() {
	clearTimeout(state.tickTimer);
	render();
	const current = phase();
	const sale = /** @type {Sale} */ (state.sale);
	const target = current === "upcoming" ? sale.startsAt : current === "ended" ? null : sale.endsAt;
	if (target === null) return;
	const left = target - clock.now();
	const step = left <= 60_000 ? 100 : 1_000;
	// +1 ms lands just past the boundary rather than a hair before it.
	state.tickTimer = setTimeout(tick, (left % step || step) + 1);
}

function render() {
	if (!state.sale) return;
	const sale = state.sale;
	const current = phase();
	if (state.lastPhase !== current) enterPhase(current);

	view.stock.textContent = `${sale.remaining.toLocaleString()} of ${sale.totalStock.toLocaleString()}`;
	view.stockFill.style.setProperty("--fill", String(Math.max(0, sale.remaining) / sale.totalStock));

	const now = clock.now();
	if (current === "upcoming") {
		view.clockLabel.textContent = "Opens in";
		view.countdown.textContent = formatCountdown(sale.startsAt - now);
		view.clockDetail.textContent = `Starts ${formatDateTime(sale.startsAt)}`;
	} else if (current === "live" || current === "sold_out") {
		view.clockLabel.textContent = current === "live" ? "Ends in" : "Sold out";
		view.countdown.textContent = current === "live" ? formatCountdown(sale.endsAt - now) : "0 left";
		view.clockDetail.textContent = `Ends ${formatDateTime(sale.endsAt)}`;
	} else {
		view.clockLabel.textContent = "Sale over";
		view.countdown.textContent = "Closed";
		view.clockDetail.textContent = `Ended ${formatDateTime(sale.endsAt)}`;
	}

	const [badge, tone] = BADGES[current];
	view.badge.textContent = badge;
	view.badge.dataset.tone = tone;

	const holding = state.order !== null;
	view.purchase.hidden = holding || current === "ended" || current === "sold_out";
	view.order.hidden = !holding;
	const canPress = canBuy();
	view.buy.setAttribute("aria-disabled", String(!canPress));
	view.buy.setAttribute("aria-busy", String(state.busy));
	view.buy.textContent = state.busy ? "Buying…" : "Buy now";
	view.quantity.disabled = state.busy;
}

/**
 * One-off effects of reaching a phase: announcements and the stock poller.
 * @param {Phase} next
 */
function enterPhase(next) {
	const previous = state.lastPhase;
	state.lastPhase = next;
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
		phase() === "live" &&
		!state.busy &&
		state.order === null &&
		botCheck.mode !== "unavailable"
	);
}

async function buy() {
	// The button is never truly disabled, so keyboard users can wait on it;
	// this guard is what makes an early or repeated press a no-op.
	if (!canBuy()) return;
	state.busy = true;
	render();
	try {
		await purchase(Number(view.quantity.value || 1));
	} finally {
		state.busy = false;
		setDetail("");
		render();
	}
}

/**
 * Tokens can go stale or a session can lapse mid-flow; they are renewed at
 * most twice per press, so a press can never loop.
 * @param {number} quantity
 */
async function purchase(quantity) {
	let renewals = 2;
	for (;;) {
		if (!(await ensureSession())) return;
		const purchaseToken = await currentPurchaseToken();
		if (!purchaseToken) return;
		say("info", "Buying…");
		const outcome = await withRetries(() =>
			callApi(`${saleApi}/purchase`, { method: "POST", body: { purchaseToken, quantity } }),
		);
		if (outcome.ok) {
			state.purchaseToken = null;
			if (outcome.status === 201) {
				const sale = /** @type {Sale} */ (state.sale);
				sale.remaining = Math.max(0, sale.remaining - outcome.data.order.quantity);
				showOrder(outcome.data.order, "success", "You got it! Your order is confirmed.");
			} else {
				showOrder(
					outcome.data.order,
					"info",
					"You already have an order in this sale, so nothing more was bought.",
				);
				// Bought elsewhere (another tab): this page's stock figure predates it.
				void refreshSale();
			}
			view.orderTitle.focus();
			return;
		}
		if ((outcome.code === "invalid_token" || outcome.code === "unauthenticated") && renewals-- > 0) {
			state.purchaseToken = null;
			if (outcome.code === "unauthenticated") state.signedIn = false;
			continue;
		}
		if (outcome.code !== NETWORK_FAILURE) state.purchaseToken = null;
		explainRefusal(outcome, quantity);
		return;
	}
}

/**
 * A purchase token still good for a while, or a new one.
 * @returns {Promise<string | null>}
 */
async function currentPurchaseToken() {
	const held = state.purchaseToken;
	if (held && held.expiresAt - clock.now() > TOKEN_MARGIN_MS) return held.token;
	let renewals = 1;
	for (;;) {
		const outcome = await withRetries(async () => {
			const turnstileToken = await botCheckToken();
			if (turnstileToken === null) return null;
			say("info", "Reserving your chance to buy…");
			return callApi(`${saleApi}/purchase-token`, { method: "POST", body: { turnstileToken } });
		});
		if (outcome === null) return null;
		if (outcome.ok) {
			state.purchaseToken = { token: outcome.data.purchaseToken, expiresAt: outcome.data.expiresAt };
			return outcome.data.purchaseToken;
		}
		if (outcome.code === "unauthenticated" && renewals-- > 0) {
			state.signedIn = false;
			if (await ensureSession()) continue;
			return null;
		}
		explainRefusal(outcome, 1);
		return null;
	}
}

/**
 * Sends, and while the answer is "not now" (429, 503, or 425 a hair before
 * the start) waits as told, with jitter, showing the wait, and sends again.
 * @template {ApiOutcome | null} T
 * @param {() => Promise<T>} send
 * @returns {Promise<T>}
 */
async function withRetries(send) {
	for (;;) {
		const outcome = await send();
		if (outcome === null || outcome.ok) return outcome;
		if (RETRY_LATER.has(outcome.code)) {
			await waitToRetry(outcome);
		} else if (!(outcome.code === "not_started" && (await waitForStart(outcome)))) {
			return outcome;
		}
	}
}

/** @param {ApiFailure} outcome */
async function waitToRetry(outcome) {
	const wait = backoffMs(outcome.retryAfterMs);
	const reasons = /** @type {Record<string, string>} */ ({
		rate_limited: "Too many requests right now.",
		overloaded: "The sale is very busy right now. Nothing was taken.",
		bot_check_unavailable: "The bot check is not answering right now.",
		unavailable: "The shop is not answering right now.",
	});
	say("warning", `${reasons[outcome.code] ?? "Please wait."} Trying again by itself shortly.`);
	const until = performance.now() + wait;
	// The live region is announced once; the countdown beside it is not.
	for (let left = wait; left > 0; left = until - performance.now()) {
		setDetail(`Retrying in ${Math.ceil(left / 1000)} s`);
		await sleep(Math.min(left, left % 1000 || 1000));
	}
	setDetail("");
}

/**
 * Our clock said the sale was open and the server said not yet. Usually we
 * are a few milliseconds early: re-sync and wait for the real start. If the
 * start has moved (the sale was rescheduled), count down to the new one.
 * @param {ApiFailure} outcome
 * @returns {Promise<boolean>} whether to send again
 */
async function waitForStart(outcome) {
	const sale = /** @type {Sale} */ (state.sale);
	const startsAt = Number(outcome.details.startsAt ?? sale.startsAt);
	await clock.sync();
	const wait = startsAt - clock.now();
	if (wait > MAX_EARLY_MS) {
		sale.startsAt = startsAt;
		tick();
		return false;
	}
	say("info", "Almost open…");
	await sleep(Math.max(0, wait) + 20 + Math.random() * 80);
	return true;
}

/**
 * Guest sign-in (POST /api/session) when this browser has no session.
 * Shared by the page load and a press, so it runs once.
 * @returns {Promise<boolean>}
 */
function ensureSession() {
	if (state.signedIn) return Promise.resolve(true);
	state.signingIn ??= signIn().finally(() => {
		state.signingIn = null;
	});
	return state.signingIn;
}

async function signIn() {
	const outcome = await withRetries(async () => {
		const turnstileToken = await botCheckToken();
		if (turnstileToken === null) return null;
		return callApi("/api/session", { method: "POST", body: { turnstileToken } });
	});
	if (outcome === null) return false;
	if (outcome.ok) {
		state.signedIn = true;
		return true;
	}
	explainRefusal(outcome, 1);
	return false;
}

/** @returns {Promise<string | null>} */
async function botCheckToken() {
	const token = await botCheck.token();
	if (token === null) explainBotCheckUnavailable();
	return token;
}

/**
 * Every refusal in the contract gets its own words.
 * @param {ApiFailure} outcome
 * @param {number} quantity
 */
function explainRefusal(outcome, quantity) {
	const sale = /** @type {Sale} */ (state.sale);
	let message = `Something went wrong: ${outcome.message}`;
	switch (outcome.code) {
		case "sold_out":
			if (quantity > 1) {
				message = `There are not ${quantity} left. Try a smaller quantity.`;
				schedulePoll(0);
			} else {
				sale.remaining = 0;
				message = "Sold out. Every unit has been taken.";
			}
			break;
		case "not_started":
			message = "The sale has not opened yet. Watch the countdown.";
			break;
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
	// Render first: a phase change announces itself, and this, the more
	// specific message, must be the one left standing.
	render();
	say("error", message);
}

function explainBotCheckUnavailable() {
	say(
		"error",
		"The bot check is unavailable, so buying is not possible right now. Please reload the page later.",
	);
}

/** @param {import("./bot-check.js").BotCheckEvent} event */
function showBotCheck(event) {
	const notes = {
		loading: "Loading the bot check…",
		widget: "",
		ready: "",
		waiting: "Complete the check above to continue.",
		error: "The bot check hit a problem and is trying again.",
		"offline-test": "Bot check in offline test mode (Turnstile test key, script not reachable).",
		// The status line explains this one.
		unavailable: "",
	};
	view.botCheckNote.textContent = notes[event];
	if (event === "unavailable") explainBotCheckUnavailable();
	if (state.sale) render();
}

/**
 * @param {Order} order
 * @param {Tone} tone
 * @param {string} message
 */
function showOrder(order, tone, message) {
	const sale = /** @type {Sale} */ (state.sale);
	state.order = order;
	view.orderId.textContent = order.id;
	view.orderQuantity.textContent = String(order.quantity);
	view.orderTotal.textContent = formatMoney(sale.priceCents * order.quantity, sale.currency);
	view.orderPlaced.textContent = formatDateTime(order.createdAt);
	say(tone, message);
	clearTimeout(state.pollTimer);
	render();
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
	await refreshSale();
	schedulePoll(pollDelay());
}

async function refreshSale() {
	const outcome = await callApi(saleApi);
	if (outcome.ok) adoptSale(outcome.data);
}

/** @returns {number | null} */
function pollDelay() {
	if (!state.sale || state.order) return null;
	const current = phase();
	const jitter = Math.random() * LIVE_POLL_MS;
	if (current === "live") return LIVE_POLL_MS + jitter;
	if (current === "upcoming") return Math.min(state.sale.startsAt - clock.now(), UPCOMING_POLL_MS) + jitter;
	return null;
}

/**
 * @param {Tone} tone
 * @param {string} message
 */
function say(tone, message) {
	view.status.dataset.tone = tone;
	view.status.textContent = message;
}

/** @param {string} text */
function setDetail(text) {
	view.statusDetail.textContent = text;
}

/** @param {number} ms */
function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** @param {string} id */
function byId(id) {
	const element = document.getElementById(id);
	if (!element) throw new Error(`The page has no #${id}`);
	return element;
}
