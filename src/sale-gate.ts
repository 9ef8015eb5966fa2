import { DurableObject } from "cloudflare:workers";
import type { Order, OrderMessage } from "./domain/order";
import type { Sale, SaleInput, SaleRecord } from "./domain/sale";
import { saleStatus, withStatus } from "./domain/sale";

export type PurchaseResult =
	| { ok: true; order: Order; created: boolean; remaining: number }
	| {
			ok: false;
			reason: "sale_not_found" | "not_started" | "ended" | "sold_out" | "invalid_quantity";
			sale?: SaleRecord;
	  };

export type ConfigureResult =
	| { ok: true; sale: Sale; created: boolean }
	| { ok: false; reason: "sale_started" };

/**
 * Purchase outcomes counted for the live figures. "invalid_token" and
 * "overloaded" are decided at the edge and reported here, so every figure
 * of a sale is in one place; "confirmed" is the number of buyers.
 */
const COUNTED_OUTCOMES = [
	"duplicate",
	"sold_out",
	"not_started",
	"ended",
	"invalid_token",
	"overloaded",
] as const;
type CountedOutcome = (typeof COUNTED_OUTCOMES)[number];
/** Outcomes an edge isolate may decide without the object and report to it. */
const EDGE_OUTCOMES = [
	"invalid_token",
	"overloaded",
	"sold_out",
] as const satisfies readonly CountedOutcome[];
export type EdgeOutcome = (typeof EDGE_OUTCOMES)[number];
export type Outcome = "confirmed" | CountedOutcome;

export interface GateStats {
	sold: number;
	remaining: number;
	buyers: number;
	outcomes: Record<Outcome, number>;
}

/** Confirmed orders per bucket of `bucketMs`, from `startsAt` up to now or the end. */
export interface SalesSeries {
	startsAt: number;
	bucketMs: number;
	confirmed: number[];
}

/** How long after a commit the alarm checks that the order left the outbox. */
const OUTBOX_RETRY_MS = 2_000;
/** Longest wait between retries while the queue keeps failing. */
const OUTBOX_MAX_RETRY_MS = 60_000;
/** Queues take at most 100 messages per sendBatch. */
const SEND_BATCH_SIZE = 100;
/** However long a sale lasts, its series has at most this many buckets. */
const MAX_SERIES_BUCKETS = 3_600;
/** A sold-out sale with more buyers than this keeps answering every purchase itself. */
const MAX_SHARED_HOLDERS = 10_000;

interface OrderRow extends Record<string, SqlStorageValue> {
	seq: number;
	id: string;
	user_id: string;
	quantity: number;
	created_at: number;
}

interface SaleRow extends Record<string, SqlStorageValue> {
	id: string;
	name: string;
	description: string;
	price_cents: number;
	currency: string;
	total_stock: number;
	remaining: number;
	starts_at: number;
	ends_at: number;
	max_per_user: number;
	buyers: number;
}

/**
 * The authority for one sale: its stock, its window and its buyers, in this
 * object's SQLite storage. A Durable Object runs one request at a time, and
 * every purchase is a single synchronous transaction, so no two buyers can
 * ever take the same unit.
 */
export class SaleGate extends DurableObject<Env> {
	readonly #sql: SqlStorage;
	/** The sale row, mirrored in memory; written only after its transaction commits. */
	#sale: SaleRow | null = null;
	#flushing = false;
	#alarmArmed = false;
	/** Outcome counts; `#unsaved` holds what storage does not have yet. */
	#outcomes = zeroOutcomes();
	#unsaved = zeroOutcomes();
	/** Confirmed orders per series bucket, counted up to order `lastSeq`. */
	#tally: { startsAt: number; bucketMs: number; counts: Map<number, number>; lastSeq: number } | null = null;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.#sql = ctx.storage.sql;
		ctx.blockConcurrencyWhile(async () => {
			// Tables are created by the first `configure`, so a request for a
			// made-up sale id reads nothing and writes nothing.
			if (!this.#hasTables()) return;
			this.#migrate();
			this.#sale = this.#sql.exec<SaleRow>("SELECT * FROM sale").toArray()[0] ?? null;
			for (const { outcome, count } of this.#sql.exec<{ outcome: CountedOutcome; count: number }>(
				"SELECT outcome, count FROM outcomes",
			)) {
				this.#outcomes[outcome] = count;
			}
			this.#alarmArmed = (await ctx.storage.getAlarm()) !== null;
			if (!this.#alarmArmed && this.#outboxSize() > 0) await this.#armAlarm(OUTBOX_RETRY_MS);
		});
	}

	/** Creates the sale, or replaces it while it has not started. */
	configure(saleId: string, input: SaleInput): ConfigureResult {
		const now = Date.now();
		const current = this.#sale;
		if (current && now >= current.starts_at) return { ok: false, reason: "sale_started" };
		this.#migrate();
		const row: SaleRow = {
			id: saleId,
			name: input.name,
			description: input.description,
			price_cents: input.priceCents,
			currency: input.currency,
			total_stock: input.totalStock,
			remaining: input.totalStock,
			starts_at: input.startsAt,
			ends_at: input.endsAt,
			max_per_user: input.maxPerUser,
			buyers: 0,
		};
		this.#sql.exec(
			`INSERT OR REPLACE INTO sale (singleton, id, name, description, price_cents, currency,
			   total_stock, remaining, starts_at, ends_at, max_per_user, buyers)
			 VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			row.id,
			row.name,
			row.description,
			row.price_cents,
			row.currency,
			row.total_stock,
			row.remaining,
			row.starts_at,
			row.ends_at,
			row.max_per_user,
			row.buyers,
		);
		this.#sale = row;
		return { ok: true, sale: withStatus(toSaleRecord(row), now), created: current === null };
	}

	/** The sale with its live figures, or null if it was never configured. */
	view(): Sale | null {
		return this.#sale ? withStatus(toSaleRecord(this.#sale), Date.now()) : null;
	}

	/**
	 * Takes stock for one buyer. The buyer is the idempotency key: whatever
	 * is retried, a buyer holds at most one order and gets the same one back.
	 */
	purchase(userId: string, quantity: number, _attemptId?: string): PurchaseResult {
		const sale = this.#sale;
		if (!sale) return { ok: false, reason: "sale_not_found" };
		const existing = this.#orderOf(userId);
		if (existing) {
			this.#count("duplicate");
			return { ok: true, order: existing, created: false, remaining: sale.remaining };
		}

		const now = Date.now();
		const record = toSaleRecord(sale);
		const status = saleStatus(record, now);
		if (status === "upcoming") return this.#refuse("not_started", record);
		if (status === "ended") return this.#refuse("ended", record);
		if (quantity > sale.max_per_user) return { ok: false, reason: "invalid_quantity", sale: record };
		if (sale.remaining < quantity) return this.#refuse("sold_out", record);

		const order: Order = {
			id: crypto.randomUUID(),
			saleId: sale.id,
			userId,
			quantity,
			status: "confirmed",
			createdAt: now,
		};
		// Check and write in one synchronous transaction with no await inside:
		// the object's input gate keeps other requests out, and its output gate
		// holds this reply until the write is durable.
		this.ctx.storage.transactionSync(() => {
			const { seq } = this.#sql
				.exec<{ seq: number }>(
					"INSERT INTO orders (id, user_id, quantity, created_at) VALUES (?, ?, ?, ?) RETURNING seq",
					order.id,
					userId,
					quantity,
					now,
				)
				.one();
			this.#sql.exec("INSERT INTO outbox (seq) VALUES (?)", seq);
			this.#sql.exec("UPDATE sale SET remaining = remaining - ?, buyers = buyers + 1", quantity);
			this.#saveOutcomes();
		});
		const remaining = sale.remaining - quantity;
		this.#sale = { ...sale, remaining, buyers: sale.buyers + 1 };
		this.#afterCommit();
		return { ok: true, order, created: true, remaining };
	}

	/**
	 * Every buyer holding an order, once the sale is sold out and that list
	 * can no longer change, so an edge isolate can refuse everyone else
	 * itself and still send holders here for their order. Null while stock
	 * remains, or if the list is too long to hand out.
	 */
	holders(): string[] | null {
		const sale = this.#sale;
		if (!sale || sale.remaining > 0 || sale.buyers > MAX_SHARED_HOLDERS) return null;
		return this.#sql
			.exec<{ user_id: string }>("SELECT user_id FROM orders")
			.toArray()
			.map((row) => row.user_id);
	}

	/** The buyer's order, read from the authoritative state. */
	orderOf(userId: string): Order | null {
		return this.#orderOf(userId);
	}

	overview(): { sale: Sale; stats: GateStats; series: SalesSeries } | null {
		const [sale, stats, series] = [this.view(), this.stats(), this.series()];
		return sale && stats && series ? { sale, stats, series } : null;
	}

	stats(): GateStats | null {
		const sale = this.#sale;
		if (!sale) return null;
		return {
			sold: sale.total_stock - sale.remaining,
			remaining: sale.remaining,
			buyers: sale.buyers,
			outcomes: { confirmed: sale.buyers, ...this.#outcomes },
		};
	}

	/**
	 * Confirmed orders over time, read from the orders themselves. Buckets are
	 * a second long unless the sale lasts so long that they would exceed
	 * MAX_SERIES_BUCKETS; then they widen, so the answer stays small.
	 */
	series(): SalesSeries | null {
		const sale = this.#sale;
		if (!sale) return null;
		const lifeMs = sale.ends_at - sale.starts_at;
		const bucketMs = Math.max(1, Math.ceil(lifeMs / MAX_SERIES_BUCKETS / 1000)) * 1000;
		if (this.#tally?.startsAt !== sale.starts_at || this.#tally.bucketMs !== bucketMs) {
			this.#tally = { startsAt: sale.starts_at, bucketMs, counts: new Map(), lastSeq: 0 };
		}
		const tally = this.#tally;
		// Orders are only ever appended, so each call counts just the orders
		// since the last one: the admin console polls this during the drop,
		// and a full scan of a million orders holds the object for 600 ms.
		for (const { bucket, n, last } of this.#sql.exec<{ bucket: number; n: number; last: number }>(
			`SELECT CAST((created_at - ?) / ? AS INTEGER) AS bucket, COUNT(*) AS n, MAX(seq) AS last
			 FROM orders WHERE seq > ? GROUP BY bucket`,
			tally.startsAt,
			bucketMs,
			tally.lastSeq,
		)) {
			tally.counts.set(bucket, (tally.counts.get(bucket) ?? 0) + n);
			tally.lastSeq = Math.max(tally.lastSeq, last);
		}
		const until = Math.min(Date.now(), sale.ends_at);
		const buckets = Math.max(0, Math.ceil((until - sale.starts_at) / bucketMs));
		const confirmed = Array.from({ length: buckets }, (_, bucket) => tally.counts.get(bucket) ?? 0);
		return { startsAt: sale.starts_at, bucketMs, confirmed };
	}

	/** Adds outcomes an edge isolate decided on its own since it last reported. */
	recordEdgeOutcomes(counts: Partial<Record<EdgeOutcome, number>>): void {
		if (!this.#sale) return;
		for (const outcome of EDGE_OUTCOMES) {
			const n = counts[outcome] ?? 0;
			if (Number.isInteger(n) && n > 0) this.#count(outcome, n);
		}
		this.#saveOutcomes();
	}

	/** Orders in commit order after `afterSeq`, with their seq, for reconciling the order book. */
	ordersAfter(afterSeq: number, limit: number): OrderMessage[] {
		if (!this.#sale) return [];
		const saleId = this.#sale.id;
		return this.#sql
			.exec<OrderRow>("SELECT * FROM orders WHERE seq > ? ORDER BY seq LIMIT ?", afterSeq, limit)
			.toArray()
			.map((row) => ({ ...toOrder(saleId, row), seq: row.seq }));
	}

	/** Puts the orders with these seqs back in the outbox and sends them again. */
	async resend(seqs: number[]): Promise<number> {
		let queued = 0;
		this.ctx.storage.transactionSync(() => {
			for (const seq of seqs) {
				queued += this.#sql.exec(
					"INSERT OR IGNORE INTO outbox (seq) SELECT seq FROM orders WHERE seq = ?",
					seq,
				).rowsWritten;
			}
		});
		if (queued > 0) {
			await this.#armAlarm(OUTBOX_RETRY_MS);
			await this.#flushOutbox();
		}
		return queued;
	}

	/** Retries whatever is still in the outbox; alarms are at-least-once, and so is this. */
	override async alarm(info?: AlarmInvocationInfo): Promise<void> {
		this.#alarmArmed = false;
		this.#saveOutcomes();
		await this.#flushOutbox();
		if (this.#outboxSize() > 0) {
			const attempt = (info?.retryCount ?? 0) + 1;
			await this.#armAlarm(Math.min(OUTBOX_RETRY_MS * 2 ** attempt, OUTBOX_MAX_RETRY_MS));
		}
	}

	#refuse(reason: "sold_out" | "not_started" | "ended", sale: SaleRecord): PurchaseResult {
		this.#count(reason);
		return { ok: false, reason, sale };
	}

	/**
	 * Counts an outcome in memory. Refusals write nothing else, so instead of
	 * a write per refusal the counts are saved with the next purchase or by
	 * the alarm, which is armed here so that happens within OUTBOX_RETRY_MS.
	 */
	#count(outcome: CountedOutcome, n = 1): void {
		this.#outcomes[outcome] += n;
		this.#unsaved[outcome] += n;
		if (!this.#alarmArmed) void this.#armAlarm(OUTBOX_RETRY_MS);
	}

	#saveOutcomes(): void {
		for (const outcome of COUNTED_OUTCOMES) {
			const n = this.#unsaved[outcome];
			if (n === 0) continue;
			this.#sql.exec(
				"INSERT INTO outcomes (outcome, count) VALUES (?, ?) ON CONFLICT (outcome) DO UPDATE SET count = count + excluded.count",
				outcome,
				n,
			);
			this.#unsaved[outcome] = 0;
		}
	}

	#afterCommit(): void {
		// Arming the alarm is a storage write, so the output gate also holds the
		// reply until it is durable: every order a buyer was told about is either
		// sent or has an alarm that will send it.
		if (!this.#alarmArmed) void this.#armAlarm(OUTBOX_RETRY_MS);
		void this.#flushOutbox();
	}

	async #armAlarm(delayMs: number): Promise<void> {
		this.#alarmArmed = true;
		await this.ctx.storage.setAlarm(Date.now() + delayMs);
	}

	/**
	 * Sends the outbox to the queue. While one sendBatch is in flight, orders
	 * that commit meanwhile pile up and leave together in the next batch.
	 */
	async #flushOutbox(): Promise<void> {
		if (this.#flushing) return;
		this.#flushing = true;
		try {
			for (;;) {
				// Driven by the outbox: a join lets SQLite scan every order to find
				// the few unsent ones, which cost 240 ms per batch at a million orders.
				const rows = this.#sql
					.exec<OrderRow>(
						`SELECT * FROM orders WHERE seq IN (SELECT seq FROM outbox ORDER BY seq LIMIT ${SEND_BATCH_SIZE}) ORDER BY seq`,
					)
					.toArray();
				if (rows.length === 0) return;
				const saleId = this.#sale?.id ?? "";
				await this.env.ORDER_QUEUE.sendBatch(
					rows.map((row) => ({ body: { ...toOrder(saleId, row), seq: row.seq } satisfies OrderMessage })),
				);
				this.#sql.exec(
					"DELETE FROM outbox WHERE seq IN (SELECT value FROM json_each(?))",
					JSON.stringify(rows.map((row) => row.seq)),
				);
			}
		} catch (error) {
			// The rows stay in the outbox; the armed alarm sends them later.
			console.error(JSON.stringify({ event: "outbox_send_failed", error: String(error) }));
		} finally {
			this.#flushing = false;
		}
	}

	#orderOf(userId: string): Order | null {
		if (!this.#sale) return null;
		const row = this.#sql.exec<OrderRow>("SELECT * FROM orders WHERE user_id = ?", userId).toArray()[0];
		return row ? toOrder(this.#sale.id, row) : null;
	}

	#outboxSize(): number {
		return this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n;
	}

	#hasTables(): boolean {
		return (
			this.#sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sale'").toArray().length >
			0
		);
	}

	#migrate(): void {
		// Buyers live in an indexed table on disk, never in a memory set, so a
		// sale with a million buyers costs the isolate no more memory than ten.
		this.#sql.exec(`
			CREATE TABLE IF NOT EXISTS sale (
				singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
				id TEXT NOT NULL,
				name TEXT NOT NULL,
				description TEXT NOT NULL,
				price_cents INTEGER NOT NULL,
				currency TEXT NOT NULL,
				total_stock INTEGER NOT NULL,
				remaining INTEGER NOT NULL CHECK (remaining >= 0),
				starts_at INTEGER NOT NULL,
				ends_at INTEGER NOT NULL,
				max_per_user INTEGER NOT NULL,
				buyers INTEGER NOT NULL
			);
			-- Only user_id is indexed: every index is one more random B-tree
			-- insert per purchase, and orders are found by buyer or by seq.
			CREATE TABLE IF NOT EXISTS orders (
				seq INTEGER PRIMARY KEY AUTOINCREMENT,
				id TEXT NOT NULL,
				user_id TEXT NOT NULL UNIQUE,
				quantity INTEGER NOT NULL,
				created_at INTEGER NOT NULL
			);
			CREATE TABLE IF NOT EXISTS outbox (
				seq INTEGER PRIMARY KEY REFERENCES orders (seq)
			);
			CREATE TABLE IF NOT EXISTS outcomes (
				outcome TEXT PRIMARY KEY,
				count INTEGER NOT NULL
			);
		`);
	}
}

function zeroOutcomes(): Record<CountedOutcome, number> {
	return { duplicate: 0, sold_out: 0, not_started: 0, ended: 0, invalid_token: 0, overloaded: 0 };
}

function toSaleRecord(row: SaleRow): SaleRecord {
	return {
		id: row.id,
		name: row.name,
		description: row.description,
		priceCents: row.price_cents,
		currency: row.currency,
		totalStock: row.total_stock,
		remaining: row.remaining,
		startsAt: row.starts_at,
		endsAt: row.ends_at,
		maxPerUser: row.max_per_user,
	};
}

function toOrder(saleId: string, row: OrderRow): Order {
	return {
		id: row.id,
		saleId,
		userId: row.user_id,
		quantity: row.quantity,
		status: "confirmed",
		createdAt: row.created_at,
	};
}
