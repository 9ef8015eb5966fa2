import type { SaleRow } from "../domain/sale";
import type { DrawEntries, Entry } from "./draw-entries";
import type { DrawRefusal, EntrantsPage, EntryResult } from "./draw-results";
import type { DrawRunner } from "./draw-runner";
import type { SaleLookups } from "./results";

/** What a draw sale's buyers reach through, in the object around it. */
export interface DrawSaleHost extends SaleLookups {
	entries: Pick<DrawEntries, "of" | "page">;
	draw: Pick<DrawRunner, "enter" | "frozen">;
}

/**
 * A draw sale as its buyers meet it (shared/API.md "Draws"): who may enter
 * and when, a buyer's own entry, and the frozen list of entrants anyone can
 * check the draw against. The entries are `DrawEntries`' and the draw
 * itself `DrawRunner`'s; this holds the rules between them and a request.
 * The caller has settled the sale.
 */
export class DrawSale {
	readonly #host: DrawSaleHost;

	constructor(host: DrawSaleHost) {
		this.#host = host;
	}

	/** Enters the buyer while the sale is live: one entry per buyer, and a retry gets the same entry back. */
	enter(
		sale: SaleRow,
		userId: string,
		quantity: number,
		variantId: string | undefined,
		now: number,
	): EntryResult {
		if (sale.mode !== "draw") return { ok: false, reason: "not_a_draw" };
		const entry = this.#host.entries.of(userId);
		if (entry) return { ok: true, entry, created: false };
		if (now < sale.startsAt) return { ok: false, reason: "not_started", sale: this.#host.record(sale) };
		if (now >= sale.endsAt) return { ok: false, reason: "ended", sale: this.#host.record(sale) };
		const variant = this.#host.variantFor(sale, quantity, variantId);
		if (!("remaining" in variant)) return variant;
		if (quantity > variant.totalStock) {
			return {
				ok: false,
				reason: "invalid_request",
				problem: `quantity: variant "${variant.id}" has only ${variant.totalStock} units`,
				sale: this.#host.record(sale),
			};
		}
		return { ok: true, entry: this.#host.draw.enter(sale, userId, variant.id, quantity, now), created: true };
	}

	/** The buyer's entry, or null if they did not enter. */
	entryOf(sale: SaleRow, userId: string): { ok: true; entry: Entry | null } | DrawRefusal {
		if (sale.mode !== "draw") return { ok: false, reason: "not_a_draw" };
		return { ok: true, entry: this.#host.entries.of(userId) };
	}

	/** Up to `limit` entrants of the frozen list, in canonical order, after the commitment `after`. */
	entrants(sale: SaleRow, after: string, limit: number, now: number): EntrantsPage {
		if (sale.mode !== "draw") return { ok: false, reason: "not_a_draw" };
		if (!this.#host.draw.frozen(now))
			return { ok: false, reason: "not_started", sale: this.#host.record(sale) };
		const entrants = this.#host.entries.page(after, limit);
		const last = entrants.at(-1);
		return { ok: true, entrants, nextCursor: entrants.length === limit && last ? last.commitment : null };
	}
}
