import { byId } from "./lib/dom.js";
import { formatCount, formatCountdown, formatDateTime } from "./lib/format.js";
import { sizesOf } from "./lib/sale-sizes.js";

/**
 * What the page of a draw sale shows beyond a first-come sale's: how the
 * draw works, the buyer's entry and its commitment, the clock to the draw,
 * the outcome, and how to verify it. No decisions are made here.
 *
 * @typedef {import("./lib/shop-api.js").Sale} Sale
 * @typedef {import("./lib/shop-api.js").Entry} Entry
 * @typedef {import("./lib/shop-api.js").DrawView} DrawView
 * @typedef {"open" | "entered" | "drawing" | "won" | "lost" | "drawn"} DrawStage
 * `drawn`: the draw is done and this browser had no entry.
 */

const view = {
	how: byId("draw-how"),
	purchase: byId("purchase"),
	buy: /** @type {HTMLButtonElement} */ (byId("buy")),
	clockLabel: byId("clock-label"),
	countdown: byId("countdown"),
	clockDetail: byId("clock-detail"),
	entry: byId("draw-entry"),
	entryTitle: byId("draw-entry-title"),
	outcome: byId("draw-outcome"),
	commitment: byId("entry-commitment"),
	sizeRow: byId("entry-size-row"),
	size: byId("entry-size"),
	quantity: byId("entry-quantity"),
	entered: byId("entry-entered"),
	verify: byId("verify"),
	verifyCommand: byId("verify-command"),
	verifyNote: byId("verify-note"),
};

/** What the outcome line says, by stage; empty where there is no outcome yet. */
const OUTCOMES = {
	open: "",
	entered: "",
	drawing: "",
	won: "You won",
	lost: "Not this time",
	drawn: "",
};

/** Turns the page into a draw's: the explanation and the verifier are shown from the start. */
export function showDrawSale() {
	view.how.hidden = false;
	view.verify.hidden = false;
}

/**
 * The parts a first-come frame drew that a draw shows otherwise: the button
 * enters, the controls go once entered, and after the close the clock counts
 * to the draw.
 * @param {{ sale: Sale, now: number, stage: DrawStage, busy: boolean }} frame
 */
export function renderDraw({ sale, now, stage, busy }) {
	view.buy.textContent = busy ? "Entering…" : "Enter the draw";
	if (stage !== "open") view.purchase.hidden = true;
	if (now < sale.startsAt) {
		view.clockLabel.textContent = "Entries open in";
	} else if (now < sale.endsAt) {
		view.clockLabel.textContent = "Draw in";
		view.countdown.textContent = formatCountdown(sale.endsAt - now);
		view.clockDetail.textContent = `Entries close ${formatDateTime(sale.endsAt)}, then the draw`;
	} else if (stage === "drawing" || stage === "open" || stage === "entered") {
		view.clockLabel.textContent = "Entries closed";
		view.countdown.textContent = "Drawing…";
		view.clockDetail.textContent = `Closed ${formatDateTime(sale.endsAt)}; waiting for the random number`;
	} else {
		view.clockLabel.textContent = "Entries closed";
		view.countdown.textContent = "Drawn";
		view.clockDetail.textContent = `Closed ${formatDateTime(sale.endsAt)}`;
	}
	view.outcome.textContent = OUTCOMES[stage];
	view.outcome.hidden = OUTCOMES[stage] === "";
	view.entry.dataset.outcome = stage;
}

/**
 * @param {Entry} entry
 * @param {Sale} sale
 */
export function showEntry(entry, sale) {
	view.commitment.textContent = entry.commitment;
	const size = sizesOf(sale).find((variant) => variant.id === entry.variantId);
	view.size.textContent = size?.name ?? "";
	view.sizeRow.hidden = !size;
	view.quantity.textContent = String(entry.quantity);
	view.entered.textContent = formatDateTime(entry.createdAt);
	view.entry.hidden = false;
}

export function focusEntry() {
	view.entryTitle.focus();
}

/**
 * The verifier's command line for this sale, with the buyer's own values
 * when this page knows them.
 * @param {string} command
 * @param {string} note
 */
export function showVerifyCommand(command, note) {
	view.verifyCommand.textContent = command;
	view.verifyNote.textContent = note;
}

/**
 * How the draw went, in words for the status line.
 * @param {DrawView} draw
 */
export function drawSummary(draw) {
	const winners = draw.winners?.length ?? 0;
	const entrants = draw.entrants ?? 0;
	return `${formatCount(winners)} ${winners === 1 ? "winner" : "winners"} drawn from ${formatCount(entrants)} ${entrants === 1 ? "entry" : "entries"}.`;
}
