import { backoffMs } from "./lib/api-client.js";
import { statusBadge } from "./lib/badges.js";
import { byId, element } from "./lib/dom.js";
import { formatDateTime, formatMoney } from "./lib/format.js";
import { ShopApi } from "./lib/shop-api.js";

/**
 * The front page: sales that are on now or coming up, from `GET /api/sales`.
 * @typedef {import("./lib/shop-api.js").Sale} Sale
 */

const list = byId("sale-list");
const status = byId("sales-status");
const main = byId("sales");
const api = new ShopApi();

void load();

async function load() {
	for (;;) {
		const outcome = await api.sales();
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

/**
 * A card linking to the sale. The list is not a countdown: the status as the
 * server saw it is enough.
 * @param {Sale} sale
 */
function saleItem(sale) {
	const when =
		sale.status === "upcoming"
			? `Starts ${formatDateTime(sale.startsAt)}`
			: `Ends ${formatDateTime(sale.endsAt)}`;
	const meta = `${formatMoney(sale.priceCents, sale.currency)} · ${when}`;
	const card = element("article", "card");
	card.append(
		statusBadge("p", sale.status, "shopper"),
		element("h2", "", sale.name),
		element("p", "sale-meta", meta),
	);
	const link = element("a", "sale-link");
	link.href = `/sales/${encodeURIComponent(sale.id)}`;
	link.append(card);
	const item = document.createElement("li");
	item.append(link);
	return item;
}
