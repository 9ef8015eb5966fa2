import { byId, element } from "/assets/lib/dom.js";
import { formatCount } from "/assets/lib/format.js";

/**
 * A sharded sale's figures in the live panel (shared/API.md "Scale" and
 * "Admin additions"): one row per shard with its units sold, held and
 * remaining, and a bar of its units sold against the busiest shard's, so an
 * operator sees at a glance whether buyers spread evenly; the units the
 * sale's coordinator has lent to no shard yet; and how many calls from the
 * shards it has served. Only for a sale with more than one shard.
 *
 * @typedef {import("./admin-api.js").Stats} Stats
 */

const view = {
	section: byId("shard-figures"),
	count: byId("stat-shards"),
	pool: byId("stat-pool"),
	coordinatorRequests: byId("stat-coordinator-requests"),
	rows: byId("shard-rows"),
};

/**
 * Shows the shards' figures if the stats carry them, and hides the section otherwise.
 * @param {Stats} stats
 */
export function renderShardFigures(stats) {
	const shards = stats.shards ?? [];
	view.section.hidden = shards.length < 2;
	if (view.section.hidden) return;
	view.count.textContent = formatCount(shards.length);
	// A shard's remaining units are those lent to it and not taken; the sale's
	// are every unit not taken, so the difference is what no shard was lent.
	const lentUnsold = shards.reduce((sum, shard) => sum + shard.remaining, 0);
	view.pool.textContent = formatCount(Math.max(0, stats.remaining - lentUnsold));
	view.coordinatorRequests.textContent =
		stats.coordinatorRequests === undefined ? "–" : formatCount(stats.coordinatorRequests);
	const busiest = Math.max(...shards.map((shard) => shard.sold));
	view.rows.replaceChildren(
		...shards.map((shard, index) => {
			const row = document.createElement("tr");
			row.dataset.shard = String(index);
			const name = element("th", "", `Shard ${index}`);
			name.scope = "row";
			row.append(name);
			for (const n of [shard.sold, shard.held, shard.remaining])
				row.append(element("td", "count", formatCount(n)));
			const bar = element("span", "share-bar");
			bar.style.setProperty("--share", String(busiest > 0 ? shard.sold / busiest : 0));
			const share = element("td", "share");
			share.append(bar);
			row.append(share);
			return row;
		}),
	);
}

/** Empties the figures while another sale loads. */
export function hideShardFigures() {
	view.section.hidden = true;
	view.rows.replaceChildren();
}
