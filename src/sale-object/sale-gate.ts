import { DurableObject } from "cloudflare:workers";
import type { Order, OrderMessage } from "../domain/order";
import { EDGE_OUTCOMES, type EdgeOutcome } from "../domain/outcome";
import { type Sale, type SaleInput, type SaleRecord, saleStatus, withStatus } from "../domain/sale";
import { orderBookDb, recordedTally, recordedVersions } from "../order-book/queries";
import { AlarmScheduler } from "./alarm-scheduler";
import { OrderBookAudit } from "./order-book-audit";
import { Outbox } from "./outbox";
import { OutcomeCounters } from "./outcome-counters";
import type { ConfigureResult, GateStats, PurchaseResult, SaleOverview, SalesSeries } from "./results";
import { SeriesTally } from "./sales-series";
import { migrate, storedVersion } from "./schema";
import { Stock } from "./stock";

/** How long after orders leave for the queue the order book is audited, unless `ORDER_BOOK_AUDIT_SECONDS` says otherwise. */
const ORDER_BOOK_AUDIT_SECONDS = 30;

/** A sold-out sale with more buyers than this keeps answering every purchase itself. */
const MAX_SHARED_HOLDERS = 10_000;

/**
 * The authority for one sale, one object per sale id: its stock, its window
 * and its buyers, in this object's SQLite storage. A Durable Object runs one
 * request at a time, and every purchase is a single synchronous
 * transaction, so no two buyers can ever take the same unit.
 *
 * The class wires small capabilities, each owning its tables, and exposes
 * them as typed RPC: the stock and its buyers, the outbox to the order
 * book, the outcome counters, the sales series, and the one alarm that
 * serves every deadline.
 */
export class SaleGate extends DurableObject<Env> {
	readonly #scheduler: AlarmScheduler;
	readonly #stock: Stock;
	readonly #outbox: Outbox;
	readonly #outcomes: OutcomeCounters;
	readonly #series: SeriesTally;
	readonly #audit: OrderBookAudit;
	/** Tables come with the first `configure`, so a request for a made-up sale id reads nothing and writes nothing. */
	#hasTables = false;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		const storage = ctx.storage;
		this.#scheduler = new AlarmScheduler(storage);
		this.#stock = new Stock(storage);
		this.#outbox = new Outbox({
			sql: storage.sql,
			messages: (seqs) => this.#stock.messages(seqs),
			send: (messages) => this.#send(messages),
			wakeAt: this.#scheduler.add("outbox", () => this.#outbox.flush()),
		});
		this.#outcomes = new OutcomeCounters(
			storage.sql,
			this.#scheduler.add("outcomes", () => this.#outcomes.save()),
		);
		this.#series = new SeriesTally(this.#stock);
		const orderBook = orderBookDb(env.DB);
		this.#audit = new OrderBookAudit({
			sql: storage.sql,
			orders: (afterSeq, limit) => this.#stock.ordersAfter(afterSeq, limit),
			recorded: {
				tally: () => recordedTally(orderBook, this.#saleId()),
				versions: (afterSeq, throughSeq) => recordedVersions(orderBook, this.#saleId(), afterSeq, throughSeq),
			},
			resend: (seqs) => this.#outbox.resend(seqs),
			wakeAt: this.#scheduler.add("order-book-audit", () => this.#audit.run()),
			intervalMs: auditIntervalSeconds(env) * 1000,
		});
		ctx.blockConcurrencyWhile(async () => {
			if (storedVersion(storage.sql) === 0) return;
			this.#open();
			await this.#scheduler.restore();
			this.#outbox.resume();
			this.#audit.resume();
		});
	}

	/** Creates the sale, or replaces it while it has not started. */
	configure(saleId: string, input: SaleInput): ConfigureResult {
		const now = Date.now();
		const current = this.#stock.sale;
		if (current && now >= current.startsAt) return { ok: false, reason: "sale_started" };
		if (!this.#hasTables) this.#open();
		const sale = this.#stock.configure(saleId, input);
		return { ok: true, sale: withStatus(sale, now), created: current === null };
	}

	/** The sale with its live figures, or null if it was never configured. */
	view(): Sale | null {
		const sale = this.#stock.sale;
		return sale ? withStatus(sale, Date.now()) : null;
	}

	/**
	 * Takes stock for one buyer. The buyer is the idempotency key: whatever
	 * is retried, a buyer holds at most one order and gets the same one back,
	 * as `created: false`; a retry of the attempt that created the order
	 * (same `attemptId`) gets it as `created: true`, so a buyer whose first
	 * answer was lost still learns it bought.
	 */
	purchase(userId: string, quantity: number, attemptId?: string): PurchaseResult {
		const sale = this.#stock.sale;
		if (!sale) return { ok: false, reason: "sale_not_found" };
		const held = this.#stock.orderOf(userId);
		if (held) {
			const created = attemptId !== undefined && held.attemptId === attemptId;
			if (!created) this.#outcomes.count("duplicate");
			return { ok: true, order: held.order, created, remaining: sale.remaining };
		}

		const now = Date.now();
		const status = saleStatus(sale, now);
		if (status === "upcoming") return this.#refuse("not_started", sale);
		if (status === "ended") return this.#refuse("ended", sale);
		if (quantity > sale.maxPerUser) return { ok: false, reason: "invalid_quantity", sale };
		if (sale.remaining < quantity) return this.#refuse("sold_out", sale);

		const order: Order = {
			id: crypto.randomUUID(),
			saleId: sale.id,
			userId,
			variantId: "default",
			quantity,
			amountCents: sale.priceCents * quantity,
			currency: sale.currency,
			status: "confirmed",
			createdAt: now,
			holdExpiresAt: null,
			paidAt: null,
		};
		const { remaining } = this.#stock.take(order, attemptId ?? null, (seq) => {
			this.#outbox.add(seq);
			this.#outcomes.save();
		});
		this.#outbox.committed();
		return { ok: true, order, created: true, remaining };
	}

	/**
	 * Every buyer holding an order, once the sale is sold out and that list
	 * can no longer change, so an edge isolate can refuse everyone else
	 * itself and still send holders here for their order. Null while stock
	 * remains, or if the list is too long to hand out.
	 */
	holders(): string[] | null {
		const sale = this.#stock.sale;
		if (!sale || sale.remaining > 0 || this.#stock.buyers > MAX_SHARED_HOLDERS) return null;
		return this.#stock.holders();
	}

	/** The buyer's order, read from the authoritative state. */
	orderOf(userId: string): Order | null {
		return this.#stock.orderOf(userId)?.order ?? null;
	}

	/** Everything the admin view of the sale shows, in one call; null if it was never configured. */
	overview(): SaleOverview | null {
		const sale = this.#stock.sale;
		if (!sale) return null;
		const now = Date.now();
		return { sale: withStatus(sale, now), stats: this.#stats(sale), series: this.#series.of(sale, now) };
	}

	/** The sale's live figures. */
	stats(): GateStats | null {
		const sale = this.#stock.sale;
		return sale ? this.#stats(sale) : null;
	}

	/** Confirmed orders over time. */
	series(): SalesSeries | null {
		const sale = this.#stock.sale;
		return sale ? this.#series.of(sale, Date.now()) : null;
	}

	/** Adds outcomes an edge isolate decided on its own since it last reported. */
	recordEdgeOutcomes(counts: Partial<Record<EdgeOutcome, number>>): void {
		if (!this.#stock.sale) return;
		for (const outcome of EDGE_OUTCOMES) {
			const n = counts[outcome] ?? 0;
			if (Number.isInteger(n) && n > 0) this.#outcomes.count(outcome, n);
		}
		this.#outcomes.save();
	}

	/** Orders in commit order after `afterSeq`, with their seq, for reconciling the order book. */
	ordersAfter(afterSeq: number, limit: number): OrderMessage[] {
		return this.#stock.sale ? this.#stock.ordersAfter(afterSeq, limit) : [];
	}

	/** Puts the orders with these seqs back in the outbox and sends them again; returns how many. */
	async resend(seqs: number[]): Promise<number> {
		if (!this.#stock.sale) return 0;
		return this.#outbox.resend(this.#stock.knownSeqs(seqs));
	}

	/**
	 * Compares the order book with this sale's orders and sends again what it
	 * lacks or holds at a lower version, in one bounded run; the alarm carries
	 * on until the order book has everything. Null if the sale was never configured.
	 */
	async reconcileOrderBook(): Promise<{ resent: number } | null> {
		if (!this.#stock.sale) return null;
		return { resent: await this.#audit.compare() };
	}

	/** Runs whatever timed work is due; alarms are at-least-once, and every piece of work is idempotent. */
	override async alarm(): Promise<void> {
		await this.#scheduler.run();
	}

	/** Brings the tables to the current version and reads what the capabilities keep in memory. */
	#open(): void {
		migrate(this.ctx.storage);
		this.#hasTables = true;
		this.#stock.load();
		this.#outcomes.load();
	}

	#saleId(): string {
		const sale = this.#stock.sale;
		if (!sale) throw new Error("order book audit before configure()");
		return sale.id;
	}

	#refuse(reason: "sold_out" | "not_started" | "ended", sale: SaleRecord): PurchaseResult {
		this.#outcomes.count(reason);
		return { ok: false, reason, sale };
	}

	#stats(sale: SaleRecord): GateStats {
		const buyers = this.#stock.buyers;
		return {
			sold: sale.totalStock - sale.remaining,
			remaining: sale.remaining,
			buyers,
			outcomes: { confirmed: buyers, ...this.#outcomes.snapshot() },
		};
	}

	/**
	 * Once the queue has taken orders they are out of the outbox's hands, so
	 * the audit becomes due; it is stored before the outbox lets them go.
	 */
	async #send(messages: OrderMessage[]): Promise<void> {
		await this.env.ORDER_QUEUE.sendBatch(messages.map((body) => ({ body })));
		this.#audit.expect();
	}
}

function auditIntervalSeconds(env: Env): number {
	const seconds = Number(env.ORDER_BOOK_AUDIT_SECONDS);
	return Number.isFinite(seconds) && seconds > 0 ? seconds : ORDER_BOOK_AUDIT_SECONDS;
}
