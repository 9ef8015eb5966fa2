import { SALE_ID_PATTERN } from "./sale-form.js";

/**
 * Addresses inside the console are fragments (`#sale/<id>`, `#edit/<id>`,
 * `#new`), so the back button works and the token is never in one.
 *
 * @typedef {{ panel: "placeholder" } | { panel: "new" } | { panel: "edit", saleId: string }
 *           | { panel: "live", saleId: string }} Route
 */

/**
 * What an address fragment names; anything else is the placeholder.
 * @param {string} hash `location.hash`
 * @returns {Route}
 */
export function routeOf(hash) {
	const [where, ...rest] = hash.slice(1).split("/");
	const saleId = decoded(rest.join("/"));
	if (where === "new") return { panel: "new" };
	if (!SALE_ID_PATTERN.test(saleId)) return { panel: "placeholder" };
	if (where === "edit") return { panel: "edit", saleId };
	if (where === "sale") return { panel: "live", saleId };
	return { panel: "placeholder" };
}

/**
 * @param {string} text
 * @returns {string} empty if it is not valid percent-encoding, which no sale id needs
 */
function decoded(text) {
	try {
		return decodeURIComponent(text);
	} catch {
		return "";
	}
}
