import type { SaleRecord, SaleRow } from "../domain/sale";
import { type PaymentEnv, paymentProvider } from "../payments/payment-provider";
import type { ShardFigures } from "./coordinator";
import type { DrawEntries } from "./draw-entries";
import type { OutcomeCounters } from "./outcome-counters";
import type { Payments } from "./payments";
import type { GateStats, SalesSeries } from "./results";
import type { SaleShards } from "./sale-shards";
import { SeriesTally } from "./sales-series";
import type { ShardLease } from "./shard-lease";
import type { Stock } from "./stock";
import type { Waitlist } from "./waitlist";

/** What the figures read from the object around them. */
export interface SaleFiguresHost {
	/** The payment provider's configuration: the object's env. */
	env: PaymentEnv;
	stock: Pick<Stock, "variants" | "held" | "buyers" | "endedOrders" | "ordersPerBucket">;
	waitlist: Pick<Waitlist, "size">;
	outcomes: Pick<OutcomeCounters, "snapshot">;
	payments: Pick<Payments, "figures">;
	entries: Pick<DrawEntries, "perBucket">;
	lease: Pick<ShardLease, "identity" | "sale" | "lease">;
	/** In the home object of a sale with shards, the figures of the sale as a whole. */
	shards: Pick<SaleShards, "record" | "stats" | "series">;
}

/**
 * The sale as the contract shows it and its admin figures (shared/API.md
 * "Admin additions"), read from the capabilities that keep them: in a sale
 * of one object from its own stock, in a shard the sale as its coordinator
 * last told it, in the home object of a sale with shards from what the
 * shards report. Owns no table; the series tally it keeps is rebuilt from
 * the orders after a restart.
 */
export class SaleFigures {
	readonly #host: SaleFiguresHost;
	readonly #series: SeriesTally;
	/** The configured payment provider's name, read once: the configuration does not change while the object lives. */
	#providerName: string | null | undefined;

	constructor(host: SaleFiguresHost) {
		this.#host = host;
		this.#series = new SeriesTally(host.stock);
	}

	/** The sale as the contract shows it, with its variants, units held, waitlist and payment provider. */
	record(sale: SaleRow): SaleRecord {
		const whole = this.#host.lease.sale;
		if (whole) return whole;
		if (sale.shards > 1) return this.#host.shards.record(sale);
		const { stock, waitlist } = this.#host;
		return {
			...sale,
			variants: stock.variants.map(({ id, name, totalStock, remaining }) => ({
				id,
				name,
				totalStock,
				remaining,
			})),
			held: stock.held,
			waitlist: waitlist.size,
			paymentProvider: this.paymentProvider(),
		};
	}

	/**
	 * The v1 figures, and for a sale with sizes or holds the v2 ones too: a
	 * sale created without the v2 fields answers exactly as in v1.
	 */
	stats(sale: SaleRow): GateStats {
		if (this.#isHome(sale)) return this.#host.shards.stats(sale);
		const { stock, outcomes, waitlist, payments } = this.#host;
		const buyers = stock.buyers;
		const v1 = {
			sold: sale.totalStock - sale.remaining,
			remaining: sale.remaining,
			buyers,
			outcomes: { confirmed: buyers, ...outcomes.snapshot() },
		};
		const variants = stock.variants;
		const sized = variants.length > 1 || variants[0]?.id !== "default";
		if (!sized && sale.holdSeconds === 0) return v1;
		const perVariant = variants.map((variant) => {
			const sold = variant.totalStock - variant.remaining;
			return {
				id: variant.id,
				sold,
				confirmed: sold - variant.held,
				held: variant.held,
				remaining: variant.remaining,
			};
		});
		const confirmed = perVariant.reduce((sum, variant) => sum + variant.confirmed, 0);
		return {
			...v1,
			held: stock.held,
			confirmed,
			...stock.endedOrders(),
			waitlist: waitlist.size,
			revenueCents: sale.holdSeconds > 0 ? confirmed * sale.priceCents : 0,
			...payments.figures(),
			variants: perVariant,
		};
	}

	/** Orders over time, and for a draw sale entries over time too; the home object of a sale with shards sums its shards'. */
	async series(sale: SaleRow, now: number): Promise<SalesSeries> {
		const series = this.#series.of(sale, now);
		if (this.#isHome(sale)) return this.#host.shards.series(sale, series);
		return sale.mode === "draw" ? { ...series, entered: this.#host.entries.perBucket(sale, now) } : series;
	}

	/** What a shard reports of itself to its coordinator. */
	shardReport(): ShardFigures {
		const { stock, lease, outcomes, payments } = this.#host;
		const refunds = payments.figures();
		return {
			at: Date.now(),
			variants: stock.variants.map((variant) => ({
				id: variant.id,
				...lease.lease(variant.id),
				remaining: variant.remaining,
				held: variant.held,
			})),
			buyers: stock.buyers,
			outcomes: outcomes.snapshot(),
			...stock.endedOrders(),
			refundsPending: refunds.refundsPending,
			refundsFailed: refunds.refundsFailed,
		};
	}

	/** The configured payment provider's name, or null if the sale takes no payments. */
	paymentProvider(): string | null {
		if (this.#providerName === undefined) {
			try {
				this.#providerName = paymentProvider(this.#host.env)?.name ?? null;
			} catch {
				// A misconfigured provider takes no payments: the admin route says why when a sale needs one.
				this.#providerName = null;
			}
		}
		return this.#providerName;
	}

	/** Whether this is the home object of a sale with shards: the one that answers for the sale as a whole. */
	#isHome(sale: SaleRow): boolean {
		return sale.shards > 1 && !this.#host.lease.identity;
	}
}
