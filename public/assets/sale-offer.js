import { sizesOf, unitsMayReturn } from "./lib/sale-sizes.js";

/**
 * What the sale page offers as the sale stands: whether the purchase
 * controls show, which sizes can be picked, and what a press does. Rules
 * only, with no DOM and no state.
 *
 * @typedef {import("./lib/shop-api.js").Sale} Sale
 * @typedef {import("./lib/sale-status.js").SaleStatus} SaleStatus
 * @typedef {import("./sale-view.js").Action} Action
 */

/**
 * Whether the purchase controls are shown: before and during the sale, and while units may come back.
 * @param {Sale} sale
 * @param {SaleStatus} status
 */
export function offering(sale, status) {
	return status !== "ended" && (status !== "sold_out" || unitsMayReturn(sale));
}

/**
 * The sizes and whether each can be picked: one with units left, or, while
 * units are held, one sold out that a waiting buyer may still get.
 * @param {Sale} sale
 * @param {(variantId: string) => boolean} gone whether the server said a size cannot come back
 */
export function sizeChoices(sale, gone) {
	const mayReturn = unitsMayReturn(sale);
	return sizesOf(sale).map((variant) => ({
		id: variant.id,
		pickable: variant.remaining > 0 || (mayReturn && !gone(variant.id)),
	}));
}

/**
 * What a press does: buy what is left, or join the waitlist for what is
 * sold out while units of it are held.
 * @param {Sale} sale
 * @param {string | null} size the size picked, in a sale with sizes
 * @returns {Action}
 */
export function pressAction(sale, size) {
	const sizes = sizesOf(sale);
	const left =
		sizes.length === 0 ? sale.remaining : (sizes.find((variant) => variant.id === size)?.remaining ?? 1);
	return left === 0 && unitsMayReturn(sale) ? "wait" : "buy";
}
