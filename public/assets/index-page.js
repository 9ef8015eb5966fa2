import { backoffMs, callApi } from "./api.js";
import { formatDateTime, formatMoney } from "./format.js";

/**
 * The front page: sales that are on now or coming up, from `GET /api/sales`.
 * @typedef {import("./sale-page.js").Sale} Sale
 */

const list = /** @type {HTMLUListElement} */ (document.getElementById("sale-list"));
const status = /** @type {HTMLElement} */ (document.getElementById("sales-status"));
const main = /** @type {HTMLElement} */ (document.getElementById("sales"));

void load();

async function load() {
	for (;;) {
		const outcome = await callApi("/api/sales");
		if (outcome.ok) {
			show(outcome.data.sales);
			return;
		}
		status.textContent = "We can't reach the shop right now. Trying again…";
		await new Promise((resolve) => setTimeout(resolve, backoffMs(outcome.retryAfterMs ?? 2_000)));
	}
}

/** @param {Sale[]} sales */
function show(sales) {
	list.replaceChildren(...sales.map(saleItem));
	status.textContent = sales.length === 0 ? "No sales are on or coming up right now. Check back soon." : "";
	main.setAttribute("aria-busy", "false");
}

/** The list is not a countdown; the status as the server saw it is enough. */
const BADGES = {
	upcoming: ["Upcoming", "neutral"],
	live: ["Live now", "live"],
	sold_out: ["Sold out", "over"],
	ended: ["Ended", "over"],
};

/** @param {Sale} sale */
function saleItem(sale) {
	const [label, tone] = BADGES[/** @type {keyof typeof BADGES} */ (sale.status)] ?? BADGES.upcoming;
	const badge = element("p", "badge", label);
	badge.dataset.tone = tone;
	const when =
		sale.status === "upcoming"
			? `Starts ${formatDateTime(sale.startsAt)}`
			: `Ends ${formatDateTime(sale.endsAt)}`;
	const meta = `${formatMoney(sale.priceCents, sale.currency)} · ${when}`;

	const card = element("article", "card");
	// Sale names and descriptions are text, never markup.
	card.append(badge, element("h2", "", sale.name), element("p", "sale-meta", meta));
	const link = element("a", "sale-link");
	/** @type {HTMLAnchorElement} */ (link).href = `/sales/${encodeURIComponent(sale.id)}`;
	link.append(card);
	const item = document.createElement("li");
	item.append(link);
	return item;
}

/**
 * @param {string} tag
 * @param {string} className
 * @param {string} [text]
 */
function element(tag, className, text) {
	const node = document.createElement(tag);
	if (className) node.className = className;
	if (text !== undefined) node.textContent = text;
	return node;
}
