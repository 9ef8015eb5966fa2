/**
 * The rules about a sale's sizes (variants) and held units that the sale
 * page and the admin console share (shared/API.md "Sale fields",
 * "Counting units"), so that they never disagree about what a sale offers.
 *
 * @typedef {import("./shop-api.js").Sale} Sale
 * @typedef {import("./shop-api.js").Variant} Variant
 * @typedef {import("./shop-api.js").Order} Order
 */

/** The id the API gives the one variant of a sale created without sizes. */
const DEFAULT_VARIANT = "default";

/**
 * The sizes a buyer picks from; none for a sale created without them,
 * which the API shows as a single variant named `default`.
 * @param {Pick<Sale, "variants">} sale
 * @returns {Variant[]}
 */
export function sizesOf(sale) {
	const variants = sale.variants ?? [];
	const only = variants.length === 1 ? variants[0] : undefined;
	return only?.id === DEFAULT_VARIANT ? [] : variants;
}

/**
 * Whether units of the sale may come back to be bought: only held orders
 * return units (they expire or are cancelled); confirmed ones never do.
 * @param {Pick<Sale, "holdSeconds" | "held">} sale
 */
export function unitsMayReturn(sale) {
	return (sale.holdSeconds ?? 0) > 0 && (sale.held ?? 0) > 0;
}

/**
 * Whether a sale has holds: an order is `held` until paid (shared/API.md "Orders").
 * @param {Pick<Sale, "holdSeconds">} sale
 */
export function hasHolds(sale) {
	return (sale.holdSeconds ?? 0) > 0;
}

/**
 * Whether an order is live: it holds its units (`held` or `confirmed`). A
 * v1 server's orders carry no status and are all confirmed.
 * @param {Order | null} order
 * @returns {order is Order}
 */
export function isLive(order) {
	return (
		order !== null && (order.status === undefined || order.status === "held" || order.status === "confirmed")
	);
}

/**
 * The size of an order, for showing it; null for a sale without sizes.
 * @param {Pick<Sale, "variants">} sale
 * @param {Pick<Order, "variantId">} order
 * @returns {Variant | null}
 */
export function sizeOfOrder(sale, order) {
	return sizesOf(sale).find((variant) => variant.id === order.variantId) ?? null;
}
