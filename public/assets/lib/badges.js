/**
 * The one set of status badges, for the shop's pages and the admin console.
 * The tone picks the colours (app.css, `.badge[data-tone]`); shoppers are
 * told a sale is "Live now", operators just "Live".
 *
 * @typedef {import("./sale-status.js").SaleStatus} SaleStatus
 * @typedef {"neutral" | "live" | "over"} BadgeTone
 * @typedef {"shopper" | "operator"} Audience
 */

/** @type {Record<SaleStatus, { tone: BadgeTone, shopper: string, operator: string }>} */
const BADGES = {
	upcoming: { tone: "neutral", shopper: "Upcoming", operator: "Upcoming" },
	live: { tone: "live", shopper: "Live now", operator: "Live" },
	sold_out: { tone: "over", shopper: "Sold out", operator: "Sold out" },
	ended: { tone: "over", shopper: "Ended", operator: "Ended" },
};

/**
 * Shows a sale's status on a badge element.
 * @param {HTMLElement} node
 * @param {SaleStatus} status
 * @param {Audience} audience
 */
export function setStatusBadge(node, status, audience) {
	const badge = BADGES[status] ?? BADGES.upcoming;
	setBadge(node, badge[audience], badge.tone);
}

/**
 * A badge that is not a sale's status: "Loading", "Not found".
 * @param {HTMLElement} node
 * @param {string} label
 * @param {BadgeTone} [tone]
 */
export function setBadge(node, label, tone = "neutral") {
	node.textContent = label;
	node.dataset.tone = tone;
}

/**
 * A new badge element for a sale's status, for lists.
 * @param {"p" | "span"} tag
 * @param {SaleStatus} status
 * @param {Audience} audience
 * @returns {HTMLElement}
 */
export function statusBadge(tag, status, audience) {
	const node = document.createElement(tag);
	node.className = "badge";
	setStatusBadge(node, status, audience);
	return node;
}
