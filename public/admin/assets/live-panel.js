import { setBadge, setStatusBadge } from "/assets/lib/badges.js";
import { byId, element } from "/assets/lib/dom.js";
import { formatClockTime, formatCount, formatDateTime, formatMoney, plural } from "/assets/lib/format.js";
import { hasHolds, sizesOf } from "/assets/lib/sale-sizes.js";
import { refusedInBackground } from "./console-host.js";
import { hideDrawFigures, showDrawFigures } from "./draw-figures.js";
import { Poller } from "./poller.js";
import { drawChart } from "./sales-chart.js";
import { hideShardFigures, renderShardFigures } from "./shard-figures.js";

/**
 * One sale, live: its figures, its orders per second and its purchase
 * attempts by outcome, refreshed every few seconds while the tab is open.
 *
 * @typedef {import("./console-host.js").ConsoleHost} ConsoleHost
 * @typedef {import("./admin-api.js").Sale} Sale
 * @typedef {import("./admin-api.js").LiveFigures} LiveFigures
 * @typedef {import("./admin-api.js").Stats} Stats
 */

const PERIOD_MS = 3_000;
/** How long after the opening to look again, so the badge turns live on time. */
const AFTER_OPENING_MS = 150;

/** Every outcome the sale counts, in the order an operator reads them. */
const OUTCOMES = /** @type {const} */ ([
	["confirmed", "Confirmed"],
	["duplicate", "Already had an order"],
	["sold_out", "Sold out"],
	["not_started", "Too early"],
	["ended", "Too late"],
	["invalid_token", "Invalid purchase token"],
	["overloaded", "Shed under load"],
]);

const view = {
	panel: byId("live"),
	badge: byId("live-badge"),
	name: byId("live-name"),
	meta: byId("live-meta"),
	window: byId("live-window"),
	editSale: /** @type {HTMLAnchorElement} */ (byId("edit-sale")),
	editNote: byId("edit-note"),
	publicLink: /** @type {HTMLAnchorElement} */ (byId("public-link")),
	sold: byId("stat-sold"),
	stock: byId("stat-stock"),
	remaining: byId("stat-remaining"),
	buyers: byId("stat-buyers"),
	recorded: byId("stat-recorded"),
	pending: byId("stat-pending"),
	fill: byId("live-fill"),
	chartTitle: byId("chart-title"),
	chart: /** @type {SVGSVGElement} */ (/** @type {unknown} */ (byId("chart"))),
	chartSummary: byId("chart-summary"),
	outcomeRows: byId("outcome-rows"),
	updated: byId("live-updated"),
	holdFigures: byId("hold-figures"),
	held: byId("stat-held"),
	confirmed: byId("stat-confirmed"),
	expired: byId("stat-expired"),
	cancelled: byId("stat-cancelled"),
	revenue: byId("stat-revenue"),
	waitlist: byId("stat-waitlist"),
	refundsPendingFigure: byId("refunds-pending-figure"),
	refundsPending: byId("stat-refunds-pending"),
	refundsFailedFigure: byId("refunds-failed-figure"),
	refundsFailed: byId("stat-refunds-failed"),
	sizeFigures: byId("size-figures"),
	sizeRows: byId("size-rows"),
};

export class LivePanel {
	#host;
	#onSale;
	#poller;
	/** The sale shown, by id; answers about any other sale are stale and dropped. */
	#watchedId = /** @type {string | null} */ (null);
	/** @type {LiveFigures | null} */
	#figures = null;

	/**
	 * @param {ConsoleHost} host
	 * @param {(sale: Sale) => void} onSale told each fresh view of the sale, to keep the list in step
	 */
	constructor(host, onSale) {
		this.#host = host;
		this.#onSale = onSale;
		this.#poller = new Poller(() => this.#refresh(), PERIOD_MS);
		new ResizeObserver(() => {
			if (this.#figures && !view.panel.hidden) this.#drawSeries(this.#figures);
		}).observe(view.chart);
	}

	/** The sale shown, if any. */
	get watchedId() {
		return this.#watchedId;
	}

	/**
	 * Shows the sale and keeps it fresh.
	 * @param {string} saleId
	 * @param {boolean} moveFocus whether the operator just navigated here
	 */
	watch(saleId, moveFocus) {
		if (this.#watchedId !== saleId) {
			this.#watchedId = saleId;
			this.#figures = null;
			showLoading();
		}
		if (moveFocus) view.name.focus();
		this.#poller.start();
	}

	/** Stops refreshing and forgets the sale. */
	stop() {
		this.#poller.stop();
		this.#watchedId = null;
		this.#figures = null;
	}

	/** Refreshes now, e.g. after an action changed the figures. */
	refreshNow() {
		this.#poller.now();
	}

	/** @returns {Promise<number | undefined>} */
	async #refresh() {
		const saleId = this.#watchedId;
		if (!saleId) return undefined;
		const outcome = await this.#host.api.sale(saleId);
		if (saleId !== this.#watchedId) return undefined;
		if (!outcome.ok) {
			if (outcome.code === "sale_not_found") {
				this.#poller.stop();
				showMissing(saleId);
				return undefined;
			}
			return refusedInBackground(this.#host, outcome, view.updated);
		}
		const figures = outcome.data;
		this.#figures = figures;
		this.#render(figures);
		this.#onSale(figures.sale);
		const untilStart = figures.sale.startsAt - Date.now();
		if (figures.sale.status === "upcoming" && untilStart < PERIOD_MS) {
			return Math.max(0, untilStart) + AFTER_OPENING_MS;
		}
		return undefined;
	}

	/** @param {LiveFigures} figures */
	#render(figures) {
		const { sale, stats } = figures;
		document.title = `${sale.name} · Admin · Doorbuster`;
		view.panel.setAttribute("aria-busy", "false");
		setStatusBadge(view.badge, sale.status, "operator");
		view.name.textContent = sale.name;
		view.meta.textContent = [
			sale.id,
			formatMoney(sale.priceCents, sale.currency),
			`at most ${formatCount(sale.maxPerUser)} per buyer`,
			...(hasHolds(sale) ? [`held ${plural(sale.holdSeconds ?? 0, "second")} for payment`] : []),
			...(sizesOf(sale).length > 0 ? [plural(sizesOf(sale).length, "size")] : []),
			...((sale.shards ?? 1) > 1 ? [plural(sale.shards ?? 1, "shard")] : []),
		].join(" · ");
		view.window.textContent = `Opens ${formatDateTime(sale.startsAt)} · closes ${formatDateTime(sale.endsAt)}`;
		const editable = sale.status === "upcoming";
		view.editSale.hidden = !editable;
		view.editSale.href = `#edit/${encodeURIComponent(sale.id)}`;
		view.editNote.hidden = editable;
		view.publicLink.href = `/sales/${encodeURIComponent(sale.id)}`;

		view.sold.textContent = formatCount(stats.sold);
		view.stock.textContent = `of ${formatCount(sale.totalStock)}`;
		view.remaining.textContent = formatCount(stats.remaining);
		view.buyers.textContent = formatCount(stats.buyers);
		view.recorded.textContent = formatCount(stats.ordersRecorded);
		view.pending.textContent = formatCount(stats.ordersPending);
		view.pending.dataset.tone = stats.ordersPending > 0 ? "warning" : "";
		view.fill.style.setProperty("--fill", String(sale.totalStock > 0 ? stats.sold / sale.totalStock : 0));
		renderOutcomes(stats.outcomes);
		renderHoldFigures(sale, stats);
		renderSizeFigures(sale, stats);
		renderShardFigures(stats);
		void showDrawFigures(sale, () => this.#watchedId === sale.id);
		this.#drawSeries(figures);
		view.updated.textContent = `Updated ${formatClockTime(Date.now())}; refreshes every few seconds while this tab is open.`;
	}

	/** @param {LiveFigures} figures */
	#drawSeries({ sale, series }) {
		// A draw sells nothing while it is open: what moves then is the entries.
		const plotted = series.entered
			? { counts: series.entered, label: "Entries per second", one: "entry", many: "entries" }
			: { counts: series.confirmed, label: "Orders per second", one: "order", many: "orders" };
		const empty =
			sale.status === "upcoming" ? `Opens at ${formatDateTime(sale.startsAt)}` : `No ${plotted.many} yet`;
		view.chartTitle.textContent = plotted.label;
		view.chartSummary.textContent = drawChart(view.chart, series, plotted, empty);
	}
}

function showLoading() {
	view.panel.setAttribute("aria-busy", "true");
	view.name.textContent = "Loading the sale…";
	setBadge(view.badge, "Loading");
	for (const node of [view.meta, view.window, view.chartSummary, view.updated, view.stock]) {
		node.textContent = "";
	}
	for (const node of [view.sold, view.remaining, view.buyers, view.recorded, view.pending]) {
		node.textContent = "–";
	}
	view.outcomeRows.replaceChildren();
	view.chart.replaceChildren();
	view.holdFigures.hidden = true;
	view.sizeFigures.hidden = true;
	hideShardFigures();
	hideDrawFigures();
}

/**
 * Holds and payments: units held and confirmed, orders expired and
 * cancelled, the revenue paid, the waitlist, and refunds when the payment
 * provider reports them. Only for a sale with holds.
 * @param {Sale} sale
 * @param {Stats} stats
 */
function renderHoldFigures(sale, stats) {
	view.holdFigures.hidden = !hasHolds(sale) || stats.held === undefined;
	if (view.holdFigures.hidden) return;
	view.held.textContent = formatCount(stats.held ?? 0);
	view.confirmed.textContent = formatCount(stats.confirmed ?? 0);
	view.expired.textContent = formatCount(stats.expired ?? 0);
	view.cancelled.textContent = formatCount(stats.cancelled ?? 0);
	view.revenue.textContent = formatMoney(stats.revenueCents ?? 0, sale.currency);
	view.waitlist.textContent = formatCount(stats.waitlist ?? 0);
	for (const [figure, node, n] of /** @type {const} */ ([
		[view.refundsPendingFigure, view.refundsPending, stats.refundsPending],
		[view.refundsFailedFigure, view.refundsFailed, stats.refundsFailed],
	])) {
		figure.hidden = n === undefined;
		node.textContent = formatCount(n ?? 0);
		node.dataset.tone = (n ?? 0) > 0 ? "warning" : "";
	}
}

/**
 * One row per size: sold (held + confirmed), confirmed, held and remaining.
 * @param {Sale} sale
 * @param {Stats} stats
 */
function renderSizeFigures(sale, stats) {
	const sizes = sizesOf(sale);
	view.sizeFigures.hidden = sizes.length === 0 || stats.variants === undefined;
	if (view.sizeFigures.hidden) return;
	const figuresOf = new Map((stats.variants ?? []).map((figures) => [figures.id, figures]));
	view.sizeRows.replaceChildren(
		...sizes.map((size) => {
			const figures = figuresOf.get(size.id);
			const row = document.createElement("tr");
			row.dataset.size = size.id;
			const name = element("th", "", size.name);
			name.scope = "row";
			row.append(name);
			for (const n of [figures?.sold, figures?.confirmed, figures?.held, figures?.remaining]) {
				row.append(element("td", "count", n === undefined ? "–" : formatCount(n)));
			}
			return row;
		}),
	);
}

/** @param {string} saleId */
function showMissing(saleId) {
	view.panel.setAttribute("aria-busy", "false");
	setBadge(view.badge, "Not found");
	view.name.textContent = `There is no sale “${saleId}”`;
	view.updated.textContent = "";
}

/** @param {Record<string, number>} outcomes */
function renderOutcomes(outcomes) {
	const total = OUTCOMES.reduce((sum, [key]) => sum + (outcomes[key] ?? 0), 0);
	view.outcomeRows.replaceChildren(
		...OUTCOMES.map(([key, label]) => {
			const n = outcomes[key] ?? 0;
			const row = document.createElement("tr");
			row.dataset.outcome = key;
			const name = element("th", "", label);
			name.scope = "row";
			const bar = element("span", "share-bar");
			bar.style.setProperty("--share", String(total > 0 ? n / total : 0));
			const share = element("td", "share");
			share.append(bar);
			row.append(name, element("td", "count", formatCount(n)), share);
			return row;
		}),
	);
}
