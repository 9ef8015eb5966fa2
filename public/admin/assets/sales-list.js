import { statusBadge } from "/assets/lib/badges.js";
import { byId, element } from "/assets/lib/dom.js";
import { formatCount, formatDateTime } from "/assets/lib/format.js";
import { saleStatus } from "/assets/lib/sale-status.js";
import { refusedInBackground } from "./console-host.js";
import { Poller } from "./poller.js";

/**
 * The list of sales beside the open panel, refreshed every few seconds.
 *
 * @typedef {import("./console-host.js").ConsoleHost} ConsoleHost
 * @typedef {import("./admin-api.js").Sale} Sale
 */

const PERIOD_MS = 15_000;
/** Longest wait for the next opening or closing to redraw at; setTimeout cannot wait for ever. */
const MAX_REDRAW_WAIT_MS = 3_600_000;

export class SalesList {
	#host;
	#poller;
	/** @type {Sale[]} */
	#sales = [];
	/** The sale of the open panel, marked in the list. */
	#currentId = /** @type {string | null} */ (null);
	/** Redraws the list when a listed sale opens or closes. */
	#redrawTimer = /** @type {ReturnType<typeof setTimeout> | undefined} */ (undefined);
	#list = byId("sales-list");
	#note = byId("sales-note");

	/** @param {ConsoleHost} host */
	constructor(host) {
		this.#host = host;
		this.#poller = new Poller(() => this.#refresh(), PERIOD_MS);
	}

	start() {
		this.#poller.start();
	}

	/** Stops refreshing and forgets every sale, as on signing out. */
	clear() {
		this.#poller.stop();
		clearTimeout(this.#redrawTimer);
		this.#sales = [];
		this.#list.replaceChildren();
	}

	/** Refreshes now, e.g. after a sale was saved. */
	refreshNow() {
		this.#poller.now();
	}

	/** @param {string | null} saleId */
	markCurrent(saleId) {
		this.#currentId = saleId;
		this.#render();
	}

	/**
	 * Keeps the list in step with the live panel and the editor between refreshes.
	 * @param {Sale} sale
	 */
	merge(sale) {
		const index = this.#sales.findIndex((listed) => listed.id === sale.id);
		if (index === -1) this.#sales.push(sale);
		else this.#sales[index] = sale;
		this.#render();
	}

	/** @returns {Promise<number | undefined>} */
	async #refresh() {
		const outcome = await this.#host.api.sales();
		if (!outcome.ok) return refusedInBackground(this.#host, outcome, this.#note);
		this.#sales = outcome.data.sales;
		this.#render();
		return undefined;
	}

	#render() {
		// Newest drop first: the one being set up or run is nearly always at the top.
		const sales = [...this.#sales].sort((a, b) => b.startsAt - a.startsAt);
		this.#list.replaceChildren(...sales.map((sale) => this.#item(sale)));
		this.#note.textContent = sales.length === 0 ? "No sales yet. Create the first one." : "";
		// The list is fetched only now and then, and a badge must not say
		// "Upcoming" for a sale that has opened.
		const now = Date.now();
		const next = Math.min(...sales.flatMap((sale) => [sale.startsAt, sale.endsAt]).filter((at) => at > now));
		clearTimeout(this.#redrawTimer);
		if (Number.isFinite(next)) {
			this.#redrawTimer = setTimeout(() => this.#render(), Math.min(next - now + 50, MAX_REDRAW_WAIT_MS));
		}
	}

	/** @param {Sale} sale */
	#item(sale) {
		const link = element("a", "sale-row");
		link.href = `#sale/${encodeURIComponent(sale.id)}`;
		if (sale.id === this.#currentId) link.setAttribute("aria-current", "true");
		const sold = sale.totalStock - sale.remaining;
		const status = saleStatus(sale, Date.now());
		const when =
			status === "upcoming"
				? `opens ${formatDateTime(sale.startsAt)}`
				: `closes ${formatDateTime(sale.endsAt)}`;
		// Sale names come from whoever set the sale up: text, never markup.
		link.append(
			statusBadge("span", status, "operator"),
			element("span", "row-name", sale.name),
			element("span", "row-id mono", sale.id),
			element(
				"span",
				"row-figures",
				`${formatCount(sold)} of ${formatCount(sale.totalStock)} sold · ${when}`,
			),
		);
		const item = document.createElement("li");
		item.append(link);
		return item;
	}
}
