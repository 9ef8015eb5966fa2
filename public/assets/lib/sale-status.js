/**
 * The one rule for a sale's status (shared/API.md "Counting units"), used by
 * the Worker, the sale page and the admin console alike, so they can never
 * disagree about what a shopper sees.
 *
 * The window is half-open, [startsAt, endsAt): a purchase at exactly
 * `startsAt` is live, one at exactly `endsAt` is too late.
 *
 * @typedef {"upcoming" | "live" | "sold_out" | "ended"} SaleStatus
 * @param {{ startsAt: number, endsAt: number, remaining: number }} sale
 * @param {number} now milliseconds since the Unix epoch, on the server's clock
 * @returns {SaleStatus}
 */
export function saleStatus(sale, now) {
	if (now < sale.startsAt) return "upcoming";
	if (now >= sale.endsAt) return "ended";
	return sale.remaining === 0 ? "sold_out" : "live";
}
