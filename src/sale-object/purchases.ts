import { newOrder } from "../domain/order";
import { type SaleRow, saleStatus } from "../domain/sale";
import { shardOf } from "../domain/shards";
import type { Holds } from "./holds";
import type { Outbox } from "./outbox";
import type { OutcomeCounters } from "./outcome-counters";
import type { PurchaseResult, SaleLookups } from "./results";
import type { ShardLease } from "./shard-lease";
import type { Stock } from "./stock";
import type { Waitlist } from "./waitlist";

/** How often a purchase on a shard asks for units again when other purchases took what it was lent first. */
const MAX_LEASE_ROUNDS = 6;

/** What the purchases need from the object around them. */
export interface PurchasesHost extends SaleLookups {
	stock: Pick<Stock, "sale" | "ordersOf" | "take">;
	waitlist: Pick<Waitlist, "size" | "leave">;
	outbox: Pick<Outbox, "add" | "committed">;
	outcomes: Pick<OutcomeCounters, "count" | "save">;
	holds: Pick<Holds, "placed">;
	lease: Pick<ShardLease, "identity" | "sale" | "acquire" | "sold" | "reportSoon">;
	/** The sale once the holds due by `now` are settled, or null if it was never configured. */
	settled(now: number): SaleRow | null;
}

/**
 * Buying (shared/API.md "Buying"): each purchase is one synchronous
 * transaction that records the order, takes its units, puts it in the
 * outbox and takes the buyer off the waitlist, with no await inside, so no
 * two buyers can ever take the same unit. On a shard that has too few
 * units the purchase first asks the coordinator for more. Owns no table:
 * the orders are the stock's.
 */
export class Purchases {
	readonly #host: PurchasesHost;

	constructor(host: PurchasesHost) {
		this.#host = host;
	}

	/**
	 * Takes stock for one buyer. A buyer holds at most one live order (held
	 * or confirmed): while they do, whatever is retried gets that order back
	 * as `created: false`; a retry of the attempt that created an order (same
	 * `attemptId`) gets it as `created: true`, whatever its status now, so a
	 * buyer whose first answer was lost still learns it bought.
	 */
	purchase(
		userId: string,
		quantity: number,
		attemptId: string | undefined,
		variantId: string | undefined,
	): PurchaseResult | Promise<PurchaseResult> {
		return this.#purchase(userId, quantity, attemptId, variantId, 0);
	}

	#purchase(
		userId: string,
		quantity: number,
		attemptId: string | undefined,
		variantId: string | undefined,
		leaseRounds: number,
	): PurchaseResult | Promise<PurchaseResult> {
		const { stock, waitlist, outbox, outcomes, holds, lease } = this.#host;
		const now = Date.now();
		const sale = this.#host.settled(now);
		if (!sale) return { ok: false, reason: "sale_not_found" };
		if (sale.mode === "draw") return { ok: false, reason: "draw_sale" };
		if (sale.shards > 1 && lease.identity?.shard !== shardOf(sale.id, userId, sale.shards)) {
			return { ok: false, reason: "wrong_shard", shards: sale.shards };
		}
		const orders = stock.ordersOf(userId);
		if (orders.live) {
			const created = attemptId !== undefined && orders.live.attemptId === attemptId;
			if (!created) {
				outcomes.count("duplicate");
				lease.reportSoon();
			}
			return { ok: true, order: orders.live.order, created, remaining: this.#saleRemaining(sale.remaining) };
		}
		const earlier = attemptId === undefined ? null : orders.byAttempt(attemptId);
		if (earlier) {
			return {
				ok: true,
				order: earlier.order,
				created: true,
				remaining: this.#saleRemaining(sale.remaining),
			};
		}

		const status = saleStatus(sale, now);
		if (status === "upcoming") return this.#refuse("not_started", sale);
		if (status === "ended") return this.#refuse("ended", sale);
		const variant = this.#host.variantFor(sale, quantity, variantId);
		if (!("remaining" in variant)) return variant;
		if (variant.remaining < quantity) {
			if (sale.shards === 1) return this.#refuse("sold_out", sale);
			return this.#purchaseOnLease(userId, quantity, attemptId, variant.id, leaseRounds);
		}

		const order = newOrder(sale, userId, variant.id, quantity, now);
		const waiting = waitlist.size > 0;
		const { remaining } = stock.take(order, attemptId ?? null, !orders.any, (seq) => {
			outbox.add(seq);
			// A buyer who gets an order any other way leaves the waitlist.
			if (waiting) waitlist.leave(userId);
			outcomes.save();
		});
		if (order.holdExpiresAt !== null) holds.placed(order.holdExpiresAt);
		outbox.committed();
		lease.sold(variant.id);
		return { ok: true, order, created: true, remaining: this.#saleRemaining(remaining) };
	}

	/**
	 * A purchase on a shard that has too few units of the variant: asks the
	 * coordinator for enough, then buys again; `sold_out` only once the
	 * coordinator says no unit is left anywhere.
	 */
	async #purchaseOnLease(
		userId: string,
		quantity: number,
		attemptId: string | undefined,
		variantId: string,
		leaseRounds: number,
	): Promise<PurchaseResult> {
		if (leaseRounds >= MAX_LEASE_ROUNDS) return { ok: false, reason: "unavailable" };
		return this.#host.lease.acquire(variantId, quantity, (verdict) => {
			if (verdict === "granted")
				return this.#purchase(userId, quantity, attemptId, variantId, leaseRounds + 1);
			const sale = this.#host.stock.sale;
			if (!sale) throw new Error("the sale is not configured");
			if (verdict === "sold_out") return this.#refuse("sold_out", sale);
			return { ok: false, reason: "unavailable" } as const;
		});
	}

	/**
	 * The units the sale has left as a whole, given this object's own: the
	 * edge keeps the lowest it is answered, so a shard answers only what the
	 * coordinator last said, never its own units left (it can be dry while
	 * other shards have plenty).
	 */
	#saleRemaining(own: number): number | null {
		const { lease } = this.#host;
		return lease.identity ? (lease.sale?.remaining ?? null) : own;
	}

	#refuse(reason: "sold_out" | "not_started" | "ended", sale: SaleRow): PurchaseResult {
		this.#host.outcomes.count(reason);
		this.#host.lease.reportSoon();
		return { ok: false, reason, sale: this.#host.record(sale) };
	}
}
