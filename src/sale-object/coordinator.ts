import { COUNTED_OUTCOMES, type CountedOutcome } from "../domain/outcome";
import type { SaleRecord } from "../domain/sale";
import { leaseChunk } from "../domain/shards";
import type { Waiter } from "./waitlist";

/**
 * A variant's lease as a shard holds it: the units lent to it (`total`,
 * what it has sold included), at a version only the coordinator advances.
 * Every lease message is absolute and carries its version, and a shard
 * applies one only if it is newer than the last it applied, so a message
 * lost, repeated or overtaken never lends a unit twice or loses one.
 */
export interface Lease {
	version: number;
	total: number;
}

/** What a shard reports of itself to its coordinator. */
export interface ShardFigures {
	/** When the shard took these figures: a later report replaces an earlier one. */
	at: number;
	variants: { id: string; version: number; total: number; remaining: number; held: number }[];
	buyers: number;
	outcomes: Record<CountedOutcome, number>;
	expired: number;
	cancelled: number;
	refundsPending: number;
	refundsFailed: number;
}

/** What a shard asks its coordinator for. */
export interface LeaseRequest {
	variantId: string;
	/** The units the purchase that asks needs; fewer than that anywhere is `sold_out`. */
	quantity: number;
	/** The units every purchase waiting on the shard needs: what to lend if the pool has it. */
	wanted: number;
	/** The shard's lease as it has it, and its units not taken when it asked. */
	have: Lease;
	unsold: number;
	/** Asking ahead, at half a lease: takes what the pool has, recalls nothing. */
	ahead: boolean;
}

/** What the coordinator answers a shard that asked for units of a variant. */
export interface LeaseAnswer {
	/**
	 * `granted`: `lease` lends the shard at least the units it asked for.
	 * `sold_out`: every unit of the variant not held or confirmed is already
	 * the asking shard's. `unavailable`: a shard that may hold some did not
	 * answer the recall, so nobody can tell yet.
	 */
	verdict: "granted" | "sold_out" | "unavailable";
	/** The shard's lease as the coordinator has it now; null while a recall to that shard is unanswered. */
	lease: Lease | null;
	/** Whether the coordinator has no unlent units of the variant left, so asking ahead is pointless. */
	poolEmpty: boolean;
	/** The sale as a whole, as the coordinator knows it. */
	sale: SaleRecord;
}

/** What the coordinator needs of a shard object. */
export interface ShardObject {
	/** Gives back the units of a variant the shard has not sold, as lease `version`; answers its lease then. */
	surrender(variantId: string, version: number): Promise<Lease>;
	/**
	 * Applies `lease`, which lends the shard `quantity` more units, and
	 * places a held order of them for the waiting buyer; false if it could
	 * not (the buyer has a live order, or the units are gone).
	 */
	receiveHandover(variantId: string, lease: Lease, userId: string, quantity: number): Promise<boolean>;
}

/** What the coordinator needs of the sale's one waitlist. */
export interface SaleWaitlist {
	readonly size: number;
	/** The earliest waiter for the variant whose quantity is at most `units`. */
	firstFitting(variantId: string, units: number): Waiter | null;
	leave(userId: string): boolean;
}

/** Units on their way to a waiting buyer's shard, until the shard has placed the order. */
type Handover = {
	userId: string;
	variantId: string;
	quantity: number;
	shard: number;
	version: number;
	total: number;
};

/**
 * At most how many units of its own a shard that asked for a lease has
 * unsold, given what was sent to it since: null while a recall to it is
 * unanswered, as its units may or may not be on their way back.
 */
function ownUnits(row: LedgerRow, request: LeaseRequest): number | null {
	if (row.version === request.have.version) return request.unsold;
	if (row.surrendering) return null;
	// A lease it had not applied when it asked: a grant (more units; it has taken no fewer since) or a recall it answered (what it had taken).
	return Math.max(0, row.allotted - (request.have.total - request.unsold));
}

/** How long a recall waits for a shard's answer before the units it may hold count as unreachable. */
const RECALL_TIMEOUT_MS = 1_500;

type LedgerRow = {
	shard: number;
	variantId: string;
	version: number;
	allotted: number;
	surrendering: number;
};

/** Per variant, the sale-level figures the coordinator derives from the shards' reports. */
export interface VariantTotals {
	remaining: number;
	held: number;
}

/**
 * The coordinator of a sale spread over K shards, in the sale's home
 * object (shared/API.md "Scale"): it lends each shard units of each variant
 * in leases, keeps the units not lent (the pool), recalls unsold units from
 * the other shards when a shard runs dry and the pool is empty, and keeps
 * the latest figures each shard reported, from which the sale's view and
 * admin figures are made. Tables `lease_ledger`, `shard_figures` and
 * `coordinator`.
 *
 * Units are conserved by construction: for each variant, its stock equals
 * the pool plus the units the ledger says each shard is lent. A grant is
 * written before it is sent, so a grant lost on the way is still counted as
 * the shard's until a later lease or recall corrects it; a recall counts the
 * shard's units as its own until the shard answers what it kept.
 */
export class Coordinator {
	readonly #sql: SqlStorage;
	readonly #storage: DurableObjectStorage;
	readonly #shard: (index: number) => ShardObject;
	readonly #record: () => SaleRecord;
	readonly #variants: () => readonly { id: string; totalStock: number }[];
	readonly #waitlist: SaleWaitlist;
	readonly #shardOf: (userId: string) => number;
	readonly #unitsComeBack: () => boolean;
	/**
	 * Per variant, the most units that can be unsold anywhere, as the last
	 * `sold_out` verdict found them, in a sale whose units never come back
	 * (no holds). Shards report up to 250 ms late; with this the sale's view
	 * that a refused buyer's edge keeps says sold out at once, as one
	 * object's would.
	 */
	readonly #unsoldAtMost = new Map<string, number>();
	/** Lease requests run one after another: each reads and changes the whole ledger, across awaits. */
	#queue: Promise<unknown> = Promise.resolve();
	#requests = 0;
	/** The shards' latest reports, parsed; null until read again after a change. */
	#reports: (ShardFigures | null)[] | null = null;

	constructor(options: {
		storage: DurableObjectStorage;
		shard: (index: number) => ShardObject;
		/** The sale as a whole, built from `totals()`. */
		record: () => SaleRecord;
		/** Each variant's whole stock. */
		variants: () => readonly { id: string; totalStock: number }[];
		waitlist: SaleWaitlist;
		/** The shard that serves a buyer. */
		shardOf: (userId: string) => number;
		/** Whether units taken can come back (the sale has holds). */
		unitsComeBack: () => boolean;
	}) {
		this.#storage = options.storage;
		this.#sql = options.storage.sql;
		this.#shard = options.shard;
		this.#record = options.record;
		this.#variants = options.variants;
		this.#waitlist = options.waitlist;
		this.#shardOf = options.shardOf;
		this.#unitsComeBack = options.unitsComeBack;
	}

	/** Reads the request count, once the object has tables. */
	load(): void {
		this.#requests =
			this.#sql.exec<{ requests: number }>("SELECT requests FROM coordinator").toArray()[0]?.requests ?? 0;
	}

	/** How many calls from shards this coordinator has served: lease requests and reports. */
	get requests(): number {
		return this.#requests;
	}

	/**
	 * Starts the ledger for a sale of `shards` shards, inside the caller's
	 * transaction: each shard is lent a chunk of each variant while the pool
	 * has units, the rest stays in the pool. Answers each shard's leases, to
	 * configure it with. A sale of one shard has no ledger: its home object
	 * takes the orders itself.
	 */
	configure(variants: readonly { id: string; totalStock: number }[], shards: number): Map<string, Lease>[] {
		const sql = this.#sql;
		sql.exec("DELETE FROM lease_ledger");
		sql.exec("DELETE FROM shard_figures");
		this.#reports = null;
		sql.exec("DELETE FROM handovers");
		this.#unsoldAtMost.clear();
		sql.exec("INSERT OR REPLACE INTO coordinator (singleton, requests) VALUES (1, 0)");
		this.#requests = 0;
		if (shards === 1) return [];
		const leases = Array.from({ length: shards }, () => new Map<string, Lease>());
		for (const variant of variants) {
			let pool = variant.totalStock;
			const chunk = leaseChunk(variant.totalStock, shards);
			for (const [shard, shardLeases] of leases.entries()) {
				const total = Math.min(chunk, pool);
				pool -= total;
				shardLeases.set(variant.id, { version: 1, total });
				sql.exec(
					"INSERT INTO lease_ledger (shard, variant_id, version, allotted) VALUES (?, ?, 1, ?)",
					shard,
					variant.id,
					total,
				);
			}
		}
		for (let shard = 0; shard < shards; shard++) {
			sql.exec("INSERT INTO shard_figures (shard) VALUES (?)", shard);
		}
		return leases;
	}

	/** Notes that a shard has its configuration. */
	configured(shard: number): void {
		this.#sql.exec("UPDATE shard_figures SET configured = 1 WHERE shard = ?", shard);
	}

	/** Shards not yet known to have their configuration. */
	unconfigured(): number[] {
		return this.#sql
			.exec<{ shard: number }>("SELECT shard FROM shard_figures WHERE configured = 0 ORDER BY shard")
			.toArray()
			.map((row) => row.shard);
	}

	/** Each shard's leases as the ledger has them, to configure it again with. */
	leasesOf(shard: number): Map<string, Lease> {
		return new Map(
			this.#ledger()
				.filter((row) => row.shard === shard)
				.map((row) => [row.variantId, { version: row.version, total: row.allotted }]),
		);
	}

	/**
	 * Keeps a shard's report if it is newer than the last one, and learns
	 * from it what became of recalls whose answer was lost.
	 */
	report(shard: number, figures: ShardFigures): void {
		this.#served();
		this.#storage.transactionSync(() => {
			this.#sql.exec(
				"UPDATE shard_figures SET figures = ?, reported_at = ? WHERE shard = ? AND reported_at < ?",
				JSON.stringify(figures),
				figures.at,
				shard,
				figures.at,
			);
			for (const variant of figures.variants) this.#adopt(shard, variant.id, variant);
		});
		this.#reports = null;
		// Units a shard has unsold while buyers wait go to them (a lost `handOver` call is made good here).
		for (const variant of figures.variants) {
			if (variant.remaining > 0 && this.#waitlist.firstFitting(variant.id, variant.remaining)) {
				this.handOver(variant.id).catch(() => {});
			}
		}
	}

	/**
	 * Lends the shard units of a variant: from the pool, or, once the pool
	 * and the shard's own units cannot cover the purchase, after recalling
	 * the unsold units of every other shard that may have some. Requests are
	 * answered one at a time.
	 */
	acquire(shard: number, request: LeaseRequest): Promise<LeaseAnswer> {
		this.#served();
		const run = this.#queue.then(() => this.#acquire(shard, request));
		this.#queue = run.catch(() => {});
		return run;
	}

	/**
	 * Hands units of a variant that came back, while any waiting buyer's
	 * quantity fits them, to the earliest such buyer: the coordinator recalls
	 * the unsold units of every shard, lends the buyer's shard the buyer's
	 * quantity, and that shard places a held order (shared/API.md "Scale":
	 * one waitlist per sale, returned units move to the waiting buyer's shard).
	 */
	handOver(variantId: string): Promise<void> {
		if (this.#waitlist.size === 0 && !this.#hasHandovers()) return Promise.resolve();
		const run = this.#queue.then(() => this.#handOver(variantId));
		this.#queue = run.catch(() => {});
		return run;
	}

	/** Whether units are on their way to a waiting buyer's shard that has not confirmed them. */
	#hasHandovers(): boolean {
		return this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM handovers").one().n > 0;
	}

	/**
	 * Per variant, the sale's units left and held, from the shards' latest
	 * reports: left is the stock less what every shard reported taken, so a
	 * unit is never shown as sold before some shard sold it, and at most
	 * what the last `sold_out` verdict found unsold.
	 */
	totals(variants: readonly { id: string; totalStock: number }[]): Map<string, VariantTotals> {
		const totals = new Map(
			variants.map((variant) => [variant.id, { remaining: variant.totalStock, held: 0 }]),
		);
		for (const figures of this.#figures()) {
			for (const reported of figures?.variants ?? []) {
				const sum = totals.get(reported.id);
				if (!sum) continue;
				sum.remaining -= reported.total - reported.remaining;
				sum.held += reported.held;
			}
		}
		for (const [variantId, unsold] of this.#unsoldAtMost) {
			const sum = totals.get(variantId);
			if (sum) sum.remaining = Math.min(sum.remaining, unsold);
		}
		return totals;
	}

	/** The shards' latest reports, by shard; null for a shard that has not reported. */
	#figures(): (ShardFigures | null)[] {
		this.#reports ??= this.#sql
			.exec<{ figures: string | null }>("SELECT figures FROM shard_figures ORDER BY shard")
			.toArray()
			.map((row) => (row.figures ? (JSON.parse(row.figures) as ShardFigures) : null));
		return this.#reports;
	}

	/** Per shard: units left to sell there (lent and not taken), taken (held + confirmed) and held. */
	perShard(): { remaining: number; sold: number; held: number }[] {
		const ledger = this.#ledger();
		return this.#figures().map((figures, shard) => {
			let remaining = 0;
			let sold = 0;
			let held = 0;
			for (const row of ledger) {
				if (row.shard !== shard) continue;
				const reported = figures?.variants.find((variant) => variant.id === row.variantId);
				const taken = reported ? reported.total - reported.remaining : 0;
				remaining += Math.max(0, row.allotted - taken);
				sold += taken;
				held += reported?.held ?? 0;
			}
			return { remaining, sold, held };
		});
	}

	/** What every shard reported, summed: buyers, outcomes, ended orders, waitlist and refunds. */
	sums(): Omit<ShardFigures, "at" | "variants"> {
		const sums: Omit<ShardFigures, "at" | "variants"> = {
			buyers: 0,
			outcomes: Object.fromEntries(COUNTED_OUTCOMES.map((outcome) => [outcome, 0])) as Record<
				CountedOutcome,
				number
			>,
			expired: 0,
			cancelled: 0,
			refundsPending: 0,
			refundsFailed: 0,
		};
		for (const figures of this.#figures()) {
			if (!figures) continue;
			sums.buyers += figures.buyers;
			sums.expired += figures.expired;
			sums.cancelled += figures.cancelled;
			sums.refundsPending += figures.refundsPending;
			sums.refundsFailed += figures.refundsFailed;
			for (const outcome of COUNTED_OUTCOMES) sums.outcomes[outcome] += figures.outcomes[outcome] ?? 0;
		}
		return sums;
	}

	async #acquire(shard: number, request: LeaseRequest): Promise<LeaseAnswer> {
		const { variantId, quantity, ahead } = request;
		// A handover to this shard that has not arrived goes first, so no later lease overtakes it.
		const mine = this.#handovers().filter((handover) => handover.shard === shard);
		const answers = await this.#deliver(mine);
		if (mine.some((handover, i) => answers[i] === undefined && handover.variantId === variantId)) {
			// Any lease of the variant sent now would carry the waiting buyer's units, for the shard to sell to someone else.
			return {
				verdict: "unavailable",
				lease: null,
				poolEmpty: this.#pool(variantId) === 0,
				sale: this.#record(),
			};
		}
		this.#storage.transactionSync(() => this.#adopt(shard, variantId, request.have));
		const asked = this.#row(shard, variantId);
		const ownAtMost = asked ? ownUnits(asked, request) : 0;
		const own = ownAtMost ?? 0;
		let pool = this.#pool(variantId);
		let reachable = true;
		if (pool + own < quantity && !ahead) {
			reachable = await this.#recall(variantId, shard);
			pool = this.#pool(variantId);
		}
		const row = this.#row(shard, variantId);
		if (!row) throw new Error(`shard ${shard} has no lease of ${variantId}`);
		const chunk = leaseChunk(this.#stockOf(variantId), this.#shards());
		const units = Math.min(pool, Math.max(chunk, request.wanted - own));
		// Units that cannot make up the purchase stay where they are, for a smaller one: moving them would only move the shortage.
		if (units > 0 && (ahead || units + own >= quantity)) {
			// A grant replaces whatever was last sent, an unanswered recall included.
			const lease = { version: row.version + 1, total: row.allotted + units };
			this.#sql.exec(
				"UPDATE lease_ledger SET version = ?, allotted = ?, surrendering = 0 WHERE shard = ? AND variant_id = ?",
				lease.version,
				lease.total,
				shard,
				variantId,
			);
			return { verdict: "granted", lease, poolEmpty: pool === units, sale: this.#record() };
		}
		const current = row.surrendering ? null : { version: row.version, total: row.allotted };
		// A grant the shard had not applied when it asked may cover it: the lease goes again, and the shard asks again if not.
		if (!ahead && own >= quantity) {
			return { verdict: "granted", lease: current, poolEmpty: pool === 0, sale: this.#record() };
		}
		// Every other shard gave back what it had not sold: fewer than `quantity` units are unsold anywhere.
		if (!ahead && reachable && ownAtMost !== null && !this.#unitsComeBack()) {
			this.#unsoldAtMost.set(
				variantId,
				Math.min(quantity - 1, this.#unsoldAtMost.get(variantId) ?? quantity),
			);
		}
		return {
			verdict: ahead || reachable ? "sold_out" : "unavailable",
			lease: current,
			poolEmpty: pool === 0,
			sale: this.#record(),
		};
	}

	async #handOver(variantId: string): Promise<void> {
		await this.#deliver(this.#handovers());
		if (!this.#waitlist.firstFitting(variantId, Number.MAX_SAFE_INTEGER)) return;
		if (!this.#waitlist.firstFitting(variantId, this.#pool(variantId))) await this.#recall(variantId, -1);
		for (;;) {
			const waiter = this.#waitlist.firstFitting(variantId, this.#pool(variantId));
			if (!waiter) return;
			const shard = this.#shardOf(waiter.userId);
			const row = this.#row(shard, variantId);
			if (!row) return;
			const handover: Handover = {
				...waiter,
				shard,
				version: row.version + 1,
				total: row.allotted + waiter.quantity,
			};
			this.#storage.transactionSync(() => {
				this.#waitlist.leave(waiter.userId);
				this.#sql.exec(
					"UPDATE lease_ledger SET version = ?, allotted = ?, surrendering = 0 WHERE shard = ? AND variant_id = ?",
					handover.version,
					handover.total,
					shard,
					variantId,
				);
				this.#sql.exec(
					"INSERT OR REPLACE INTO handovers (user_id, shard, variant_id, quantity, version, total) VALUES (?, ?, ?, ?, ?, ?)",
					handover.userId,
					shard,
					variantId,
					handover.quantity,
					handover.version,
					handover.total,
				);
			});
			const [placed] = await this.#deliver([handover]);
			// Not placed (the buyer bought meanwhile): the units are that shard's; the next recall takes them back.
			if (placed === false) await this.#recall(variantId, -1);
		}
	}

	/** Units on their way to waiting buyers' shards. */
	#handovers(): Handover[] {
		return this.#sql
			.exec<Handover>(
				"SELECT user_id AS userId, shard, variant_id AS variantId, quantity, version, total FROM handovers",
			)
			.toArray();
	}

	/**
	 * Sends handovers to their shards; each one a shard took is done. One
	 * that failed stays, and goes again before that shard's next lease and
	 * with the next handover. Answers, per handover, whether the order was
	 * placed (undefined: no answer).
	 */
	async #deliver(handovers: readonly Handover[]): Promise<(boolean | undefined)[]> {
		if (handovers.length === 0) return [];
		const answers = await Promise.allSettled(
			handovers.map((handover) =>
				this.#withTimeout(
					this.#shard(handover.shard).receiveHandover(
						handover.variantId,
						{ version: handover.version, total: handover.total },
						handover.userId,
						handover.quantity,
					),
					`shard ${handover.shard} did not take a handover`,
				),
			),
		);
		for (const [i, answer] of answers.entries()) {
			const handover = handovers[i];
			if (!handover) continue;
			if (answer.status === "fulfilled") {
				this.#sql.exec("DELETE FROM handovers WHERE user_id = ?", handover.userId);
			} else {
				console.error(
					JSON.stringify({ event: "handover_failed", shard: handover.shard, error: String(answer.reason) }),
				);
			}
		}
		return answers.map((answer) => (answer.status === "fulfilled" ? answer.value : undefined));
	}

	#withTimeout<T>(call: Promise<T>, what: string): Promise<T> {
		return Promise.race([
			call,
			scheduler.wait(RECALL_TIMEOUT_MS).then(() => {
				throw new Error(`${what} within ${RECALL_TIMEOUT_MS} ms`);
			}),
		]);
	}

	/**
	 * Asks every other shard that may have unsold units of the variant to
	 * give them back, all at once. Answers false if one of them did not
	 * give them back, or a hand-over to one of them is still on its way:
	 * its units stay counted as its own until it does.
	 */
	async #recall(variantId: string, except: number): Promise<boolean> {
		// A hand-over not yet placed goes first: a recall that overtook it would take back its units, and the waiting buyer would lose them.
		const pending = this.#handovers().filter(
			(handover) => handover.variantId === variantId && handover.shard !== except,
		);
		const delivered = await this.#deliver(pending);
		// A shard a hand-over still cannot reach is not recalled, and what it holds stays unknown.
		const handingTo = new Set(
			pending.filter((_, i) => delivered[i] === undefined).map((handover) => handover.shard),
		);
		const taken = new Map<number, number>();
		for (const [shard, figures] of this.#figures().entries()) {
			const reported = figures?.variants.find((variant) => variant.id === variantId);
			if (reported) taken.set(shard, reported.total - reported.remaining);
		}
		const asked = this.#ledger().filter(
			(row) =>
				row.variantId === variantId &&
				row.shard !== except &&
				!handingTo.has(row.shard) &&
				(row.surrendering === 1 || row.allotted > (taken.get(row.shard) ?? 0)),
		);
		if (asked.length === 0) return handingTo.size === 0;
		const recalls = asked.map((row) => ({ shard: row.shard, version: row.version + 1 }));
		this.#storage.transactionSync(() => {
			for (const { shard, version } of recalls) {
				this.#sql.exec(
					"UPDATE lease_ledger SET version = ?, surrendering = 1 WHERE shard = ? AND variant_id = ?",
					version,
					shard,
					variantId,
				);
			}
		});
		const answers = await Promise.allSettled(
			recalls.map(({ shard, version }) =>
				this.#withTimeout(
					this.#shard(shard).surrender(variantId, version),
					`shard ${shard} did not answer a recall`,
				),
			),
		);
		this.#storage.transactionSync(() => {
			for (const [i, answer] of answers.entries()) {
				const shard = recalls[i]?.shard ?? -1;
				if (answer.status === "fulfilled") this.#adopt(shard, variantId, answer.value);
				else console.error(JSON.stringify({ event: "recall_failed", shard, error: String(answer.reason) }));
			}
		});
		// An answer that is not the recall's (a shard not configured yet answers none) gave nothing back either.
		const unanswered = this.#ledger().some(
			(row) =>
				row.variantId === variantId && row.surrendering === 1 && recalls.some((r) => r.shard === row.shard),
		);
		return handingTo.size === 0 && !unanswered;
	}

	/**
	 * Learns a shard's lease as the shard has it: if it is the answer to the
	 * recall the ledger waits for, the units the shard did not keep go back
	 * to the pool. Anything older is news the ledger already has.
	 */
	#adopt(shard: number, variantId: string, lease: Lease): void {
		this.#sql.exec(
			"UPDATE lease_ledger SET allotted = ?, surrendering = 0 WHERE shard = ? AND variant_id = ? AND surrendering = 1 AND version = ?",
			lease.total,
			shard,
			variantId,
			lease.version,
		);
	}

	/** Units of the variant lent to no shard. */
	#pool(variantId: string): number {
		const lent = this.#sql
			.exec<{ lent: number }>(
				"SELECT IFNULL(SUM(allotted), 0) AS lent FROM lease_ledger WHERE variant_id = ?",
				variantId,
			)
			.one().lent;
		return this.#stockOf(variantId) - lent;
	}

	#stockOf(variantId: string): number {
		return this.#variants().find((variant) => variant.id === variantId)?.totalStock ?? 0;
	}

	#shards(): number {
		return this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM shard_figures").one().n;
	}

	#row(shard: number, variantId: string): LedgerRow | undefined {
		return this.#sql
			.exec<LedgerRow>(
				"SELECT shard, variant_id AS variantId, version, allotted, surrendering FROM lease_ledger WHERE shard = ? AND variant_id = ?",
				shard,
				variantId,
			)
			.toArray()[0];
	}

	#ledger(): LedgerRow[] {
		return this.#sql
			.exec<LedgerRow>(
				"SELECT shard, variant_id AS variantId, version, allotted, surrendering FROM lease_ledger ORDER BY shard",
			)
			.toArray();
	}

	#served(): void {
		this.#requests += 1;
		this.#sql.exec("UPDATE coordinator SET requests = ?", this.#requests);
	}
}
