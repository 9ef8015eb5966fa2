import { byId } from "/assets/lib/dom.js";
import { formatCount } from "/assets/lib/format.js";
import { ShopApi } from "/assets/lib/shop-api.js";

/**
 * A draw sale's figures in the live panel, read from the public draw view
 * (`GET /api/sales/{id}/draw`, shared/API.md "Draws"): its status, the
 * entrants (published at the close), the winners and runners-up, and the
 * beacon and round. The admin stats do not carry them.
 *
 * @typedef {import("/assets/lib/shop-api.js").Sale} Sale
 * @typedef {import("/assets/lib/shop-api.js").DrawView} DrawView
 */

const view = {
	section: byId("draw-figures"),
	status: byId("draw-status"),
	entrants: byId("draw-entrants"),
	winners: byId("draw-winners"),
	runnersUp: byId("draw-runners-up"),
	beacon: byId("draw-beacon"),
	round: byId("draw-round"),
	note: byId("draw-note"),
};

/** The draw's status as an operator reads it. */
const STATUS = { open: "Open", waiting: "Drawing", drawn: "Drawn" };

const shop = new ShopApi();

/**
 * Shows the draw of `sale` if it is a draw sale, and hides the section otherwise.
 * @param {Sale} sale
 * @param {() => boolean} stillShown whether the panel still shows this sale when the answer comes
 */
export async function showDrawFigures(sale, stillShown) {
	if (sale.mode !== "draw") {
		view.section.hidden = true;
		return;
	}
	const outcome = await shop.draw(sale.id);
	if (!stillShown() || !outcome.ok) return;
	renderDraw(sale, outcome.data.draw);
	view.section.hidden = false;
}

/** Empties the figures while another sale loads. */
export function hideDrawFigures() {
	view.section.hidden = true;
}

/**
 * @param {Sale} sale
 * @param {DrawView} draw
 */
function renderDraw(sale, draw) {
	view.status.textContent = STATUS[draw.status];
	view.entrants.textContent = draw.entrants === undefined ? "At the close" : formatCount(draw.entrants);
	view.winners.textContent = draw.winners ? formatCount(draw.winners.length) : "–";
	view.runnersUp.textContent = draw.runnersUp ? formatCount(draw.runnersUp.length) : "–";
	view.beacon.textContent = draw.beacon === "local" ? "Local (test)" : "drand quicknet";
	view.round.textContent = draw.beacon === "local" ? "–" : String(draw.round);
	const verify = `npx doorbuster-verify ${location.origin} ${sale.id}${draw.beacon === "local" ? " --allow-local" : ""}`;
	if (draw.status === "open") {
		view.note.textContent =
			"The entrant list is counted, frozen and published at the close; the draw follows once the round is out.";
	} else if (draw.status === "waiting") {
		view.note.textContent = `List frozen, root ${draw.entrantsRoot ?? "–"}; waiting for the beacon's round.`;
	} else {
		view.note.textContent = `List root ${draw.entrantsRoot ?? "–"}. Anyone can check the draw: ${verify}`;
	}
}
