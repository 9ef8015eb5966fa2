import { COUNTED_OUTCOMES, type CountedOutcome } from "../domain/outcome";
import type { SaleInput, SaleRecord, SaleRow } from "../domain/sale";
import { leaseChunk, shardOf } from "../domain/shards";
import type { ScheduledWork, WakeAt } from "./alarm-scheduler";
import { Coordinator, type LeaseAnswer, type LeaseRequest, type ShardFigures } from "./coordinator";
import type { GateStats, SalesSeries, WaitlistResult } from "./results";
import type { SaleGate } from "./sale-gate";
import type { Stock, VariantStock } from "./stock";
import type { Waitlist } from "./waitlist";

/** How soon the home object tries again to configure a shard it could not reach. */
const SHARD_SETUP_RETRY_MS = 5_000;

/** A shard of this sale: another SaleGate, reached by RPC. */
type ShardStub = DurableObjectStub<SaleGate>;

/** What the home object's side of a sale with shards needs from the object around it. */
export interface SaleShardsHost {
	storage: DurableObjectStorage;
	/** Shard `index` of sale `saleId`. */
	shard(saleId: string, index: number): ShardStub;
	stock: Pick<Stock, "sale" | "variants">;
	/** The sale's one waitlist, kept here. */
	waitlist: Pick<Waitlist, "size" | "positionOf" | "join" | "firstFitting" | "leave">;
	/** Outcomes counted here rather than on a shard: those edge isolates report. */
	outcomes(): Record<CountedOutcome, number>;
	paymentProvider(): string | null;
	/** The object's alarm: registers timed work under a name. */
	schedule(name: string, work: ScheduledWork): WakeAt;
}

/**
 * The home object's side of a sale spread over shards (shared/API.md
 * "Scale"): it configures the shards, lends them units through the
 * `Coordinator` (which owns the ledger and the shards' reports), keeps the
 * sale's one waitlist, and answers for the sale as a whole, from what the
 * shards reported or by asking each of them. In a sale of one shard it
 * holds nothing and the object takes the orders itself.
 */
export class SaleShards {
	readonly #host: SaleShardsHost;
	readonly #coordinator: Coordinator;
	readonly #askSetUp: WakeAt;

	constructor(host: SaleShardsHost) {
		this.#host = host;
		this.#coordinator = new Coordinator({
			storage: host.storage,
			shard: (index) => this.#shard(this.#sale(), index),
			record: () => this.record(this.#sale()),
			variants: () => host.stock.variants,
			waitlist: host.waitlist,
			shardOf: (userId) => {
				const sale = this.#sale();
				return shardOf(sale.id, userId, sale.shards);
			},
			unitsComeBack: () => this.#sale().holdSeconds > 0,
		});
		this.#askSetUp = host.schedule("shard-setup", () => this.setUp());
	}

	/** Reads what the coordinator keeps in memory, once the object has tables. */
	load(): void {
		this.#coordinator.load();
	}

	/** After the object (re)starts: shards not yet configured are tried again at once. */
	resume(): void {
		if (this.#coordinator.unconfigured().length > 0) this.#askSetUp(Date.now());
	}

	/** Starts the lease ledger for a sale of `shards` shards, inside the caller's transaction. */
	configure(shards: number): void {
		this.#coordinator.configure(this.#host.stock.variants, shards);
	}

	/**
	 * Configures every shard not yet known to have its configuration, with
	 * its leases as the ledger has them; one that cannot be reached is tried
	 * again from the alarm.
	 */
	async setUp(): Promise<void> {
		const sale = this.#host.stock.sale;
		const pending = this.#coordinator.unconfigured();
		if (!sale || pending.length === 0) return;
		const variants = this.#host.stock.variants;
		const input = inputOf(sale, variants);
		const whole = this.record(sale);
		const chunks = Object.fromEntries(
			variants.map((variant) => [variant.id, leaseChunk(variant.totalStock, sale.shards)]),
		);
		const results = await Promise.allSettled(
			pending.map((shard) =>
				this.#shard(sale, shard).configureShard(
					sale.id,
					input,
					shard,
					Object.fromEntries(this.#coordinator.leasesOf(shard)),
					chunks,
					whole,
				),
			),
		);
		for (const [i, result] of results.entries()) {
			const shard = pending[i] ?? -1;
			if (result.status === "fulfilled") this.#coordinator.configured(shard);
			else
				console.error(JSON.stringify({ event: "shard_setup_failed", shard, error: String(result.reason) }));
		}
		if (this.#coordinator.unconfigured().length > 0) this.#askSetUp(Date.now() + SHARD_SETUP_RETRY_MS);
	}

	/** Lends a shard units of a variant (see `Coordinator.acquire`). */
	acquire(shard: number, request: LeaseRequest): Promise<LeaseAnswer> {
		return this.#coordinator.acquire(shard, request);
	}

	/** Units came back on a shard: hands them to waiting buyers. */
	async unitsReturned(variantIds: string[]): Promise<void> {
		await Promise.all(variantIds.map((variantId) => this.#coordinator.handOver(variantId)));
	}

	/** Keeps a shard's figures. */
	report(shard: number, figures: ShardFigures): void {
		this.#coordinator.report(shard, figures);
	}

	/** The sale as a whole, from what the shards reported. */
	record(sale: SaleRow): SaleRecord {
		const variants = this.#host.stock.variants;
		const totals = this.#coordinator.totals(variants);
		const whole = variants.map(({ id, name, totalStock }) => ({
			id,
			name,
			totalStock,
			remaining: totals.get(id)?.remaining ?? totalStock,
		}));
		return {
			...sale,
			remaining: whole.reduce((sum, variant) => sum + variant.remaining, 0),
			variants: whole,
			held: [...totals.values()].reduce((sum, variant) => sum + variant.held, 0),
			waitlist: this.#host.waitlist.size,
			paymentProvider: this.#host.paymentProvider(),
		};
	}

	/** The sale's figures summed from the shards' latest reports, with each shard's own and the coordinator's load. */
	stats(sale: SaleRow): GateStats {
		const record = this.record(sale);
		const sums = this.#coordinator.sums();
		const own = this.#host.outcomes();
		const outcomes = { confirmed: sums.buyers, ...own };
		for (const outcome of COUNTED_OUTCOMES) outcomes[outcome] += sums.outcomes[outcome];
		const v1 = {
			sold: record.totalStock - record.remaining,
			remaining: record.remaining,
			buyers: sums.buyers,
			outcomes,
			shards: this.#coordinator.perShard(),
			coordinatorRequests: this.#coordinator.requests,
		};
		const sized = record.variants.length > 1 || record.variants[0]?.id !== "default";
		if (!sized && sale.holdSeconds === 0) return v1;
		const totals = this.#coordinator.totals(this.#host.stock.variants);
		const perVariant = record.variants.map((variant) => {
			const sold = variant.totalStock - variant.remaining;
			const held = totals.get(variant.id)?.held ?? 0;
			return { id: variant.id, sold, confirmed: sold - held, held, remaining: variant.remaining };
		});
		const confirmed = perVariant.reduce((sum, variant) => sum + variant.confirmed, 0);
		return {
			...v1,
			held: record.held,
			confirmed,
			expired: sums.expired,
			cancelled: sums.cancelled,
			waitlist: this.#host.waitlist.size,
			revenueCents: sale.holdSeconds > 0 ? confirmed * sale.priceCents : 0,
			refundsPending: sums.refundsPending,
			refundsFailed: sums.refundsFailed,
			variants: perVariant,
		};
	}

	/**
	 * Orders over time: the home object's own buckets with its shards'
	 * confirmed orders summed in. A shard that cannot be reached is left out
	 * rather than failing the admin's view.
	 */
	async series(sale: SaleRow, own: SalesSeries): Promise<SalesSeries> {
		const shards = await Promise.allSettled(
			Array.from({ length: sale.shards }, (_, shard) => this.#shard(sale, shard).series()),
		);
		const confirmed = own.confirmed.map(() => 0);
		for (const result of shards) {
			if (result.status !== "fulfilled" || !result.value) continue;
			for (const [bucket, n] of result.value.confirmed.entries()) {
				if (bucket < confirmed.length) confirmed[bucket] = (confirmed[bucket] ?? 0) + n;
			}
		}
		return { ...own, confirmed };
	}

	/** Has every shard compare the order book with its orders; answers how many orders they sent again. */
	async reconcileOrderBook(sale: SaleRow): Promise<{ resent: number }> {
		const runs = await Promise.all(
			Array.from({ length: sale.shards }, (_, shard) => this.#shard(sale, shard).reconcileOrderBook()),
		);
		return { resent: runs.reduce((sum, run) => sum + (run?.resent ?? 0), 0) };
	}

	/**
	 * Puts a buyer on the sale's one waitlist by the same rules as a sale of
	 * one object, with the units from the shards' reports and the buyer's
	 * order from their shard. The caller has checked the sale is live and
	 * the variant is valid.
	 */
	async joinWaitlist(
		sale: SaleRow,
		userId: string,
		quantity: number,
		variant: VariantStock,
		now: number,
	): Promise<WaitlistResult> {
		const waitlist = this.#host.waitlist;
		const units = this.#coordinator.totals(this.#host.stock.variants).get(variant.id);
		if (!units || units.remaining >= quantity) return { ok: false, reason: "not_sold_out" };
		if (units.held === 0) return { ok: false, reason: "sold_out", sale: this.record(sale) };
		const order = await this.#shard(sale, shardOf(sale.id, userId, sale.shards)).orderOf(userId);
		if (order?.status === "held" || order?.status === "confirmed") return { ok: false, reason: "has_order" };
		// The buyer may have joined from another request while their shard answered.
		const position = waitlist.positionOf(userId);
		if (position !== null) return { ok: true, position, created: false };
		const joined = waitlist.join({ userId, variantId: variant.id, quantity }, now, sale.endsAt);
		// Units may have come back while the buyer decided to wait.
		this.#coordinator.handOver(variant.id).catch(() => {});
		return { ok: true, position: joined, created: true };
	}

	#shard(sale: SaleRow, index: number): ShardStub {
		return this.#host.shard(sale.id, index);
	}

	#sale(): SaleRow {
		const sale = this.#host.stock.sale;
		if (!sale) throw new Error("the sale is not configured");
		return sale;
	}
}

/** The sale's configuration as an admin gave it, to configure its shards with. */
function inputOf(sale: SaleRow, variants: readonly VariantStock[]): SaleInput {
	return {
		name: sale.name,
		description: sale.description,
		priceCents: sale.priceCents,
		currency: sale.currency,
		totalStock: sale.totalStock,
		startsAt: sale.startsAt,
		endsAt: sale.endsAt,
		maxPerUser: sale.maxPerUser,
		variants: variants.map(({ id, name, totalStock }) => ({ id, name, totalStock })),
		...(sale.imageUrl === null ? {} : { imageUrl: sale.imageUrl }),
		holdSeconds: sale.holdSeconds,
		mode: sale.mode,
		shards: sale.shards,
		relays: sale.relays,
	};
}
