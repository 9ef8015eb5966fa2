import type { SaleRecord } from "../domain/sale";
import type { WakeAt } from "./alarm-scheduler";
import type { Lease, LeaseAnswer, LeaseRequest, ShardFigures } from "./coordinator";
import type { Stock } from "./stock";

/** What a shard needs of its sale's coordinator (the sale's home object). */
export interface CoordinatorObject {
	/** Units of these variants came back on the shard: the coordinator gives them to waiting buyers. */
	unitsReturned(variantIds: string[]): Promise<void>;
	acquireLease(shard: number, request: LeaseRequest): Promise<LeaseAnswer>;
	/** Keeps the shard's figures; answers the sale as a whole. */
	shardReport(shard: number, figures: ShardFigures): Promise<SaleRecord | null>;
}

/**
 * How long a shard takes the coordinator's word that a variant is sold out,
 * in a sale whose units can come back (holds): a unit that returns on
 * another shard is reported within REPORT_DELAY_MS, so no buyer is told
 * `sold_out` for longer than the contract's 2 s while it is there.
 */
const SOLD_OUT_TRUST_MS = 1_000;
/** A shard reports its figures this long after they change, so reports batch a burst of purchases. */
const REPORT_DELAY_MS = 250;

type Verdict = LeaseAnswer["verdict"];

/**
 * A shard's side of the leases (shared/API.md "Scale"): which shard of how
 * many this object is, the version of each variant's lease it applied, and
 * the asking for more. Table `shard` and `shard_leases`; the units
 * themselves are the variant's stock in `Stock`. In the only object of a
 * sale (one shard) it holds nothing and does nothing.
 */
export class ShardLease {
	readonly #storage: DurableObjectStorage;
	readonly #stock: Stock;
	readonly #coordinator: () => CoordinatorObject;
	readonly #figures: () => ShardFigures;
	readonly #reportAt: WakeAt;
	#identity: { shard: number; shards: number } | null = null;
	#leases = new Map<string, { version: number; chunk: number }>();
	/** Requests for units under way, by variant: a burst of dry purchases waits on one. */
	readonly #asking = new Map<string, { verdict: Promise<Verdict>; quantity: number; ahead: boolean }>();
	/** Units the purchases waiting for a lease want, by variant. */
	readonly #waiting = new Map<string, number>();
	/** Variants the coordinator has no unlent units of: asking ahead would be pointless. */
	readonly #poolEmpty = new Set<string>();
	/**
	 * The coordinator's word that fewer than `quantity` units of a variant
	 * are unsold anywhere, by variant, and until when it stands (for good in
	 * a sale without holds, where units never come back).
	 */
	readonly #soldOut = new Map<string, { quantity: number; until: number }>();
	/** The sale as a whole, as the coordinator last told it. */
	#sale: SaleRecord | null = null;

	constructor(options: {
		storage: DurableObjectStorage;
		stock: Stock;
		coordinator: () => CoordinatorObject;
		figures: () => ShardFigures;
		reportAt: WakeAt;
	}) {
		this.#storage = options.storage;
		this.#stock = options.stock;
		this.#coordinator = options.coordinator;
		this.#figures = options.figures;
		this.#reportAt = options.reportAt;
	}

	/** Reads which shard this is and its leases' versions, once the object has tables. */
	load(): void {
		const sql = this.#storage.sql;
		const row = sql
			.exec<{ shard: number; shards: number; sale: string | null }>("SELECT shard, shards, sale FROM shard")
			.toArray()[0];
		this.#identity = row ? { shard: row.shard, shards: row.shards } : null;
		this.#sale = row?.sale ? (JSON.parse(row.sale) as SaleRecord) : null;
		this.#leases = new Map(
			sql
				.exec<{ variantId: string; version: number; chunk: number }>(
					"SELECT variant_id AS variantId, version, chunk FROM shard_leases",
				)
				.toArray()
				.map((row) => [row.variantId, { version: row.version, chunk: row.chunk }]),
		);
		this.#stock.numberOrders(this.#identity?.shard ?? 0, this.#identity?.shards ?? 1);
	}

	/** Which shard of how many this object is; null in a sale's home object. */
	get identity(): { shard: number; shards: number } | null {
		return this.#identity;
	}

	/** The sale as a whole, as the coordinator last told it; null in a sale's home object. */
	get sale(): SaleRecord | null {
		return this.#identity ? this.#sale : null;
	}

	/**
	 * Makes this object shard `shard` of `shards`, lent `leases`, inside the
	 * caller's transaction (the caller configures the stock with the same
	 * leases). `chunks`: each variant's units lent at a time.
	 */
	configure(
		shard: number,
		shards: number,
		leases: ReadonlyMap<string, Lease>,
		chunks: ReadonlyMap<string, number>,
		sale: SaleRecord,
	): void {
		const sql = this.#storage.sql;
		sql.exec(
			"INSERT OR REPLACE INTO shard (singleton, shard, shards, sale) VALUES (1, ?, ?, ?)",
			shard,
			shards,
			JSON.stringify(sale),
		);
		sql.exec("DELETE FROM shard_leases");
		for (const [variantId, lease] of leases) {
			sql.exec(
				"INSERT INTO shard_leases (variant_id, version, chunk) VALUES (?, ?, ?)",
				variantId,
				lease.version,
				chunks.get(variantId) ?? 1,
			);
		}
		this.#sale = sale;
		this.#poolEmpty.clear();
		this.#soldOut.clear();
	}

	/** Whether this shard has applied a later version of any of these leases. */
	isPast(leases: Readonly<Record<string, Lease>>): boolean {
		return Object.entries(leases).some(([variantId, lease]) => this.lease(variantId).version > lease.version);
	}

	/** A variant's lease as this shard has it. */
	lease(variantId: string): Lease {
		const total = this.#stock.variants.find((variant) => variant.id === variantId)?.totalStock ?? 0;
		return { version: this.#leases.get(variantId)?.version ?? 0, total };
	}

	/**
	 * Gives back every unit of the variant this shard has not sold, as lease
	 * `version`, unless it already applied that version or a later one.
	 * Answers the lease it has then.
	 */
	surrender(variantId: string, version: number): Lease {
		const current = this.lease(variantId);
		if (version <= current.version) return current;
		const variant = this.#stock.variants.find((candidate) => candidate.id === variantId);
		if (!variant) return current;
		this.apply(variantId, { version, total: variant.totalStock - variant.remaining });
		this.reportSoon();
		return this.lease(variantId);
	}

	/**
	 * Gets enough units of a variant for a purchase of `quantity` from the
	 * coordinator, or its word that there are none anywhere (`sold_out`) or
	 * that it cannot tell now (`unavailable`), and answers what `then` makes
	 * of that verdict. The purchase counts as waiting here until `then` has
	 * returned (a purchase that finds the units taken asks again before it
	 * does), so when several were granted units together and some find them
	 * taken by the others, the next lease is asked for all of them, not for
	 * the first to ask again.
	 */
	async acquire<T>(
		variantId: string,
		quantity: number,
		then: (verdict: Verdict) => T | Promise<T>,
	): Promise<T> {
		const soldOut = this.#soldOut.get(variantId);
		if (soldOut && quantity >= soldOut.quantity && Date.now() < soldOut.until) return then("sold_out");
		this.#waiting.set(variantId, (this.#waiting.get(variantId) ?? 0) + quantity);
		let answer: T | Promise<T>;
		try {
			answer = then(await this.#verdict(variantId, quantity));
		} finally {
			this.#waiting.set(variantId, (this.#waiting.get(variantId) ?? quantity) - quantity);
		}
		return answer;
	}

	async #verdict(variantId: string, quantity: number): Promise<Verdict> {
		const asking = this.#asking.get(variantId);
		if (asking) {
			const verdict = await asking.verdict;
			if (this.#remaining(variantId) >= quantity) return "granted";
			// Asking ahead recalls nothing, so its "none left" is no answer for a buyer.
			if (verdict !== "granted" && !asking.ahead && quantity >= asking.quantity) return verdict;
		}
		return this.#ask(variantId, quantity, false);
	}

	/**
	 * After a sale on this shard: asks ahead for more units once the variant
	 * is down to half a lease, so buyers seldom wait for a lease; and reports.
	 */
	sold(variantId: string): void {
		this.reportSoon();
		const chunk = this.#leases.get(variantId)?.chunk;
		if (chunk === undefined || this.#poolEmpty.has(variantId) || this.#asking.has(variantId)) return;
		if (this.#remaining(variantId) > Math.ceil(chunk / 2)) return;
		this.#ask(variantId, 1, true).catch(() => {});
	}

	/**
	 * Whether no unit of any variant can ever reach this shard again: the
	 * coordinator said every one is sold out, in a sale without holds.
	 */
	finallySoldOut(): boolean {
		return (
			this.#identity !== null &&
			this.#stock.variants.every((variant) => {
				const soldOut = this.#soldOut.get(variant.id);
				return soldOut?.quantity === 1 && soldOut.until === Number.POSITIVE_INFINITY;
			})
		);
	}

	/** Asks for the shard's figures to reach the coordinator soon. */
	reportSoon(): void {
		if (this.#identity) this.#reportAt(Date.now() + REPORT_DELAY_MS);
	}

	/** Sends this shard's figures to the coordinator (scheduled work: a failure is retried). */
	async report(): Promise<void> {
		const identity = this.#identity;
		if (!identity) return;
		const sale = await this.#coordinator().shardReport(identity.shard, this.#figures());
		if (sale) this.#learn(sale);
	}

	#ask(variantId: string, quantity: number, ahead: boolean): Promise<Verdict> {
		const identity = this.#identity;
		if (!identity) return Promise.resolve("sold_out");
		const request: LeaseRequest = {
			variantId,
			quantity,
			// Enough for every purchase waiting here, so a burst of them is served by one lease.
			wanted: Math.max(quantity, this.#waiting.get(variantId) ?? 0),
			have: this.lease(variantId),
			unsold: this.#remaining(variantId),
			ahead,
		};
		const asking = Promise.resolve()
			.then(() => this.#coordinator().acquireLease(identity.shard, request))
			.then(
				(answer) => {
					this.#learn(answer.sale);
					if (answer.lease) this.apply(variantId, answer.lease);
					if (answer.poolEmpty) this.#poolEmpty.add(variantId);
					if (answer.verdict === "sold_out" && !ahead) {
						const until =
							answer.sale.holdSeconds === 0 ? Number.POSITIVE_INFINITY : Date.now() + SOLD_OUT_TRUST_MS;
						const known = this.#soldOut.get(variantId);
						// Fewer than 1 unit left says more than fewer than 2 did, for as long as both stand.
						const standing = known && Date.now() < known.until && known.quantity < quantity;
						this.#soldOut.set(variantId, standing ? known : { quantity, until });
					}
					return answer.verdict;
				},
				(error: unknown) => {
					console.error(JSON.stringify({ event: "lease_request_failed", variantId, error: String(error) }));
					return "unavailable" as const;
				},
			)
			.finally(() => {
				// A later request may have taken this one's place: it stays.
				if (this.#asking.get(variantId) === entry) this.#asking.delete(variantId);
			});
		const entry = { verdict: asking, quantity, ahead };
		this.#asking.set(variantId, entry);
		return asking;
	}

	/**
	 * Units of these variants came back here (an expiry or a cancel): the
	 * coordinator hands them to the sale's waiting buyers, whatever their shard.
	 */
	returned(variantIds: string[]): void {
		if (!this.#identity || variantIds.length === 0) return;
		Promise.resolve()
			.then(() => this.#coordinator().unitsReturned(variantIds))
			.catch((error: unknown) => {
				// The next report makes it good.
				console.error(JSON.stringify({ event: "units_returned_failed", error: String(error) }));
			});
	}

	/** Applies a lease newer than the one this shard has; an older or repeated one changes nothing. */
	apply(variantId: string, lease: Lease): void {
		const known = this.#leases.get(variantId);
		if (!known || lease.version <= known.version) return;
		this.#storage.transactionSync(() => {
			this.#stock.allot(variantId, lease.total);
			this.#storage.sql.exec(
				"UPDATE shard_leases SET version = ? WHERE variant_id = ?",
				lease.version,
				variantId,
			);
		});
		this.#stock.load();
		this.#leases.set(variantId, { ...known, version: lease.version });
		this.reportSoon();
	}

	/**
	 * Keeps the coordinator's latest word on the sale as a whole, in storage
	 * too: the edge lowers what it knows of the sale's units left to what a
	 * purchase answers, so a shard must never answer its own units left for
	 * the sale's, not even after a restart.
	 */
	#learn(sale: SaleRecord): void {
		this.#sale = sale;
		this.#storage.sql.exec("UPDATE shard SET sale = ?", JSON.stringify(sale));
	}

	#remaining(variantId: string): number {
		return this.#stock.variants.find((variant) => variant.id === variantId)?.remaining ?? 0;
	}
}
