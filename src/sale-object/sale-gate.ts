import { DurableObject } from "cloudflare:workers";
import { newOrder, type Order, type OrderMessage, type OrderQueueBody } from "../domain/order";
import { EDGE_OUTCOMES, type EdgeOutcome } from "../domain/outcome";
import {
	type Sale,
	type SaleInput,
	type SaleRecord,
	type SaleRow,
	saleStatus,
	withStatus,
} from "../domain/sale";
import { shardName } from "../domain/shards";
import { orderBookDb, recordedTally, recordedVersions } from "../order-book/queries";
import type { Payment } from "../payments/payment";
import { AlarmScheduler } from "./alarm-scheduler";
import type { Lease, LeaseAnswer, LeaseRequest, ShardFigures } from "./coordinator";
import { DrawEntries } from "./draw-entries";
import type { BeaconChoice, DrawRefusal, DrawView, EntrantsPage, Entry, EntryResult } from "./draw-results";
import { DrawRunner } from "./draw-runner";
import { DrawSale } from "./draw-sale";
import { HeldOrders } from "./held-orders";
import { Holds } from "./holds";
import { auditIntervalMs, OrderBookAudit } from "./order-book-audit";
import { Outbox } from "./outbox";
import { OutcomeCounters } from "./outcome-counters";
import { Payments } from "./payments";
import { Purchases } from "./purchases";
import type {
	ConfigureResult,
	GateStats,
	InvalidRequest,
	OrderResult,
	PaymentResult,
	PurchaseRequest,
	PurchaseResult,
	SaleOverview,
	SalesSeries,
	WaitingResult,
	WaitlistResult,
} from "./results";
import { SaleFigures } from "./sale-figures";
import { SaleShards } from "./sale-shards";
import { migrate, storedVersion } from "./schema";
import { ShardLease } from "./shard-lease";
import { Stock, type VariantStock } from "./stock";
import { Waitlist } from "./waitlist";

/** A sold-out sale with more buyers than this keeps answering every purchase itself. */
const MAX_SHARED_HOLDERS = 10_000;

/**
 * The authority for one sale, one object per sale id: its stock, its window
 * and its buyers, in this object's SQLite storage. A Durable Object runs one
 * request at a time, and every purchase is a single synchronous
 * transaction, so no two buyers can ever take the same unit.
 *
 * The class wires small capabilities, each in its own module and owning
 * its tables if it has any, and exposes them as typed RPC: purchases, the
 * stock and its buyers, the holds and their deadlines, what becomes of held
 * orders, the waitlist, the payments, the draw, the outbox to the order
 * book and its audit, the outcome counters, the sale's figures, a shard's
 * leases or the home object's shards, and the one alarm that serves every
 * deadline.
 * Every call first settles the holds that are due (shared/API.md "Orders"),
 * so no answer ever shows a hold past its deadline.
 */
export class SaleGate extends DurableObject<Env> {
	readonly #scheduler: AlarmScheduler;
	readonly #stock: Stock;
	readonly #holds: Holds;
	readonly #waitlist: Waitlist;
	readonly #outbox: Outbox;
	readonly #outcomes: OutcomeCounters;
	readonly #audit: OrderBookAudit;
	readonly #payments: Payments;
	readonly #heldOrders: HeldOrders;
	readonly #purchases: Purchases;
	readonly #entries: DrawEntries;
	readonly #draw: DrawRunner;
	readonly #drawSale: DrawSale;
	readonly #lease: ShardLease;
	readonly #shards: SaleShards;
	readonly #figures: SaleFigures;
	/** Tables come with the first `configure`, so a request for a made-up sale id reads nothing and writes nothing. */
	#hasTables = false;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		const storage = ctx.storage;
		this.#scheduler = new AlarmScheduler(storage);
		this.#stock = new Stock(storage);
		this.#waitlist = new Waitlist(
			storage.sql,
			this.#scheduler.add("waitlist", (dueBy) => this.#settle(dueBy)),
		);
		this.#outbox = new Outbox({
			sql: storage.sql,
			messages: (seqs) => this.#stock.messages(seqs),
			send: (messages) => this.#send(messages),
			wakeAt: this.#scheduler.add("outbox", () => this.#outbox.flush()),
		});
		this.#payments = new Payments({
			sql: storage.sql,
			env,
			order: (seq) => this.#stock.messages([seq])[0] ?? null,
			confirm: (seq, paidAt) => this.#heldOrders.confirm(seq, paidAt),
			expire: (seq) => this.#heldOrders.release([seq], "expired"),
			earliestHoldExpiry: () => this.#stock.earliestHoldExpiry(),
			dueHolds: (dueBy, limit) => this.#stock.dueHolds(dueBy, limit),
			schedule: (name, work) => this.#scheduler.add(name, work),
		});
		// A hold whose checkout session is still to be closed waits for the provider's word (payments.ts).
		this.#holds = new Holds({
			earliestExpiry: () => this.#payments.earliestHoldExpiry(),
			due: (dueBy, limit) => this.#payments.dueHolds(dueBy, limit),
			expire: (seqs) => this.#heldOrders.release(seqs, "expired"),
			wakeAt: this.#scheduler.add("holds", (dueBy) => this.#settle(dueBy)),
		});
		this.#outcomes = new OutcomeCounters(
			storage.sql,
			this.#scheduler.add("outcomes", () => this.#outcomes.save()),
		);
		const orderBook = orderBookDb(env.DB);
		this.#audit = new OrderBookAudit({
			sql: storage.sql,
			orders: (afterSeq, limit) => this.#stock.ordersAfter(afterSeq, limit),
			recorded: {
				tally: () => recordedTally(orderBook, this.#requireSale().id, this.#lease.identity),
				versions: (afterSeq, throughSeq) =>
					recordedVersions(orderBook, this.#requireSale().id, afterSeq, throughSeq, this.#lease.identity),
			},
			resend: (seqs) => this.#outbox.resend(seqs),
			wakeAt: this.#scheduler.add("order-book-audit", (dueBy) => this.#audit.run(dueBy)),
			intervalMs: auditIntervalMs(env),
		});
		this.#entries = new DrawEntries(storage.sql);
		this.#draw = new DrawRunner({
			storage,
			entries: this.#entries,
			sale: () => this.#stock.sale,
			variants: () => this.#stock.variants,
			remainingOf: (variantId) => this.#stock.remainingOf(variantId),
			placeOrder: (userId, variantId, quantity, now) => {
				const order = newOrder(this.#requireSale(), userId, variantId, quantity, now);
				this.#outbox.add(this.#stock.place(order, null, true));
			},
			committed: () => {
				this.#stock.load();
				this.#holds.resume();
				this.#outbox.committed();
			},
			drandUrl: env.DRAND_URL,
			wakeAt: this.#scheduler.add("draw", (dueBy) => this.#draw.run(dueBy)),
		});
		this.#drawSale = new DrawSale({
			entries: this.#entries,
			draw: this.#draw,
			variantFor: (sale, quantity, variantId) => this.#variantFor(sale, quantity, variantId),
			record: (sale) => this.#figures.record(sale),
		});
		this.#lease = new ShardLease({
			storage,
			stock: this.#stock,
			coordinator: () => env.SALE_GATE.getByName(this.#requireSale().id),
			figures: () => this.#figures.shardReport(),
			reportAt: this.#scheduler.add("shard-report", () => this.#lease.report()),
		});
		this.#shards = new SaleShards({
			storage,
			shard: (saleId, index) => env.SALE_GATE.getByName(shardName(saleId, index)),
			stock: this.#stock,
			waitlist: this.#waitlist,
			outcomes: () => this.#outcomes.snapshot(),
			paymentProvider: () => this.#figures.paymentProvider(),
			schedule: (name, work) => this.#scheduler.add(name, work),
		});
		this.#figures = new SaleFigures({
			env,
			stock: this.#stock,
			waitlist: this.#waitlist,
			outcomes: this.#outcomes,
			payments: this.#payments,
			entries: this.#entries,
			lease: this.#lease,
			shards: this.#shards,
		});
		this.#heldOrders = new HeldOrders({
			storage,
			stock: this.#stock,
			waitlist: this.#waitlist,
			outbox: this.#outbox,
			holds: this.#holds,
			payments: this.#payments,
			lease: this.#lease,
			draw: this.#draw,
		});
		this.#purchases = new Purchases({
			stock: this.#stock,
			waitlist: this.#waitlist,
			outbox: this.#outbox,
			outcomes: this.#outcomes,
			holds: this.#holds,
			lease: this.#lease,
			settled: (now) => this.#settled(now),
			variantFor: (sale, quantity, variantId) => this.#variantFor(sale, quantity, variantId),
			record: (sale) => this.#figures.record(sale),
		});
		ctx.blockConcurrencyWhile(async () => {
			if (storedVersion(storage.sql) === 0) return;
			this.#open();
			await this.#scheduler.restore();
			this.#outbox.resume();
			this.#audit.resume();
			this.#holds.resume();
			this.#payments.resume();
			this.#draw.resume();
			this.#lease.reportSoon();
			this.#shards.resume();
			const sale = this.#stock.sale;
			if (sale) this.#waitlist.resume(sale.endsAt);
		});
	}

	/**
	 * Creates the sale, or replaces it while it has not started. A draw sale
	 * fixes its beacon here (`beacon`, chosen by the Worker's configuration).
	 */
	async configure(
		saleId: string,
		input: SaleInput,
		beacon: BeaconChoice = "drand-quicknet",
	): Promise<ConfigureResult> {
		const now = Date.now();
		const current = this.#stock.sale;
		if (current && now >= current.startsAt) return { ok: false, reason: "sale_started" };
		if (!this.#hasTables) this.#open();
		this.ctx.storage.transactionSync(() => {
			this.#draw.configure(this.#stock.configure(saleId, input), beacon);
			// The home object of a sale with shards keeps the whole stock as the sale's figures and lends it out.
			this.#shards.configure(input.shards ?? 1);
		});
		await this.#shards.setUp();
		return {
			ok: true,
			sale: withStatus(this.#figures.record(this.#requireSale()), now),
			created: current === null,
		};
	}

	/** The sale with its live figures, or null if it was never configured. */
	view(): Sale | null {
		const now = Date.now();
		const sale = this.#settled(now);
		return sale ? withStatus(this.#figures.record(sale), now) : null;
	}

	/** Takes stock for one buyer; a retry gets back the order it made (see `Purchases.purchase`). */
	purchase(
		userId: string,
		quantity: number,
		attemptId?: string,
		variantId?: string,
	): PurchaseResult | Promise<PurchaseResult> {
		return this.#purchases.purchase(userId, quantity, attemptId, variantId);
	}

	/**
	 * The purchases a relay gathered while its last call was on its way, in
	 * the order it took them in: each is its own transaction exactly as if
	 * it had come alone, and the answers come back in the same order. One
	 * that fails is answered `unavailable` without failing the others.
	 */
	purchaseEach(requests: readonly PurchaseRequest[]): Promise<PurchaseResult[]> {
		return Promise.all(
			requests.map(async ({ userId, quantity, attemptId, variantId }): Promise<PurchaseResult> => {
				try {
					return await this.#purchases.purchase(userId, quantity, attemptId, variantId);
				} catch (error) {
					console.error(JSON.stringify({ event: "purchase_failed", error: String(error) }));
					return { ok: false, reason: "unavailable" };
				}
			}),
		);
	}

	/**
	 * Enters the buyer in a draw sale while it is live: one entry per buyer,
	 * and a retry gets the same entry back (`created: false`).
	 */
	enter(userId: string, quantity: number, variantId?: string): EntryResult {
		const now = Date.now();
		const sale = this.#settled(now);
		if (!sale) return { ok: false, reason: "sale_not_found" };
		return this.#drawSale.enter(sale, userId, quantity, variantId, now);
	}

	/** The buyer's entry in a draw sale, or null. */
	entryOf(userId: string): { ok: true; entry: Entry | null } | DrawRefusal {
		const sale = this.#settled(Date.now());
		return sale ? this.#drawSale.entryOf(sale, userId) : { ok: false, reason: "sale_not_found" };
	}

	/** The draw as published (shared/API.md "Draws"). */
	drawView(): { ok: true; draw: DrawView } | DrawRefusal {
		const sale = this.#settled(Date.now());
		if (!sale) return { ok: false, reason: "sale_not_found" };
		const draw = this.#draw.view(Date.now());
		return draw ? { ok: true, draw } : { ok: false, reason: "not_a_draw" };
	}

	/** Up to `limit` entrants of the frozen list, in canonical order, after the commitment `after`. */
	entrants(after: string, limit: number): EntrantsPage {
		const now = Date.now();
		const sale = this.#settled(now);
		return sale ? this.#drawSale.entrants(sale, after, limit, now) : { ok: false, reason: "sale_not_found" };
	}

	/**
	 * Every buyer holding an order, once the sale is sold out and that list
	 * can no longer change (nothing is held, so no unit can come back), so
	 * an edge isolate can refuse everyone else itself and still send holders
	 * here for their order. Null otherwise, or if the list is too long to hand out.
	 */
	holders(): string[] | null {
		const sale = this.#settled(Date.now());
		if (!sale || sale.remaining > 0 || this.#stock.held > 0 || this.#stock.buyers > MAX_SHARED_HOLDERS) {
			return null;
		}
		// A shard's list is final only once no unit can be lent to it again.
		if (sale.shards > 1 && !this.#lease.finallySoldOut()) return null;
		return this.#stock.holders();
	}

	/** The buyer's live order, or else their latest one, read from the authoritative state. */
	orderOf(userId: string): Order | null {
		if (!this.#settled(Date.now())) return null;
		return this.#stock.ordersOf(userId).latest?.order ?? null;
	}

	/** The buyer's held order, to pay for; or why there is none. */
	heldOrder(userId: string): OrderResult {
		if (!this.#settled(Date.now())) return { ok: false, reason: "sale_not_found" };
		return this.#heldOrders.held(userId);
	}

	/**
	 * Gives back the buyer's held order: it is cancelled and its units return
	 * at once (to the waitlist first); its checkout session is closed.
	 */
	cancel(userId: string): OrderResult {
		if (!this.#settled(Date.now())) return { ok: false, reason: "sale_not_found" };
		return this.#heldOrders.cancel(userId);
	}

	/**
	 * Keeps the checkout session just started for the buyer's order `orderId`,
	 * so that only a payment through it confirms the order. If the order is
	 * no longer held (it ended while the session was made), the session is
	 * closed at once and the order answered as `not_held`.
	 */
	keepCheckout(userId: string, orderId: string, sessionId: string): OrderResult {
		const now = Date.now();
		if (!this.#settled(now)) return { ok: false, reason: "sale_not_found" };
		return this.#heldOrders.keepCheckout(userId, orderId, sessionId, now);
	}

	/**
	 * Applies a payment the provider's event `eventId` reports (shared/API.md
	 * "Payment providers"): at most once per event id, it confirms the held
	 * order through its kept session, or owes a full refund.
	 */
	applyPayment(eventId: string, payment: Payment): PaymentResult {
		const now = Date.now();
		if (!this.#settled(now)) return { ok: false, reason: "sale_not_found" };
		return { ok: true, applied: this.#payments.apply(eventId, payment, now) };
	}

	/**
	 * The test provider's payment (shared/API.md "Payment providers"): `paid`
	 * confirms the held order as a payment would; `declined` changes nothing.
	 */
	testPayment(userId: string, outcome: "paid" | "declined"): OrderResult {
		if (!this.#settled(Date.now())) return { ok: false, reason: "sale_not_found" };
		return this.#heldOrders.testPayment(userId, outcome);
	}

	/**
	 * Puts the buyer on the waitlist of a sold-out variant while units of it
	 * are held, so one may come back; a buyer already waiting gets their
	 * position (`created: false`).
	 */
	joinWaitlist(
		userId: string,
		quantity: number,
		variantId?: string,
	): WaitlistResult | Promise<WaitlistResult> {
		const now = Date.now();
		const sale = this.#settled(now);
		if (!sale) return { ok: false, reason: "sale_not_found" };
		// A draw hands returned units to its runners-up: it has no waitlist.
		if (sale.mode === "draw") return { ok: false, reason: "draw_sale" };
		const position = this.#waitlist.positionOf(userId);
		if (position !== null) return { ok: true, position, created: false };
		// The home object of a sale with shards asks the buyer's shard for their order, below.
		const home = sale.shards > 1;
		if (!home && this.#stock.ordersOf(userId).live) return { ok: false, reason: "has_order" };
		const status = saleStatus(sale, now);
		if (status === "upcoming") return { ok: false, reason: "not_started", sale: this.#figures.record(sale) };
		if (status === "ended") return { ok: false, reason: "ended", sale: this.#figures.record(sale) };
		const variant = this.#variantFor(sale, quantity, variantId);
		if (!("remaining" in variant)) return variant;
		if (home) return this.#shards.joinWaitlist(sale, userId, quantity, variant, now);
		if (variant.remaining >= quantity) return { ok: false, reason: "not_sold_out" };
		// With nothing held, nothing can come back; a sale without holds never holds anything.
		if (variant.held === 0) return { ok: false, reason: "sold_out", sale: this.#figures.record(sale) };
		const joined = this.#waitlist.join({ userId, variantId: variant.id, quantity }, now, sale.endsAt);
		return { ok: true, position: joined, created: true };
	}

	/** The buyer's place on the waitlist (1 = next). */
	waitlistPosition(userId: string): WaitingResult {
		if (!this.#settled(Date.now())) return { ok: false, reason: "sale_not_found" };
		const position = this.#waitlist.positionOf(userId);
		return position === null ? { ok: false, reason: "not_waiting" } : { ok: true, position };
	}

	/** Takes the buyer off the waitlist, answering the place they had. */
	leaveWaitlist(userId: string): WaitingResult {
		const place = this.waitlistPosition(userId);
		if (place.ok) this.#waitlist.leave(userId);
		return place;
	}

	/** Everything the admin view of the sale shows, in one call; null if it was never configured. */
	async overview(): Promise<SaleOverview | null> {
		const now = Date.now();
		const sale = this.#settled(now);
		if (!sale) return null;
		return {
			sale: withStatus(this.#figures.record(sale), now),
			stats: this.#figures.stats(sale),
			series: await this.#figures.series(sale, now),
		};
	}

	/** The sale's live figures. */
	stats(): GateStats | null {
		const sale = this.#settled(Date.now());
		return sale ? this.#figures.stats(sale) : null;
	}

	/** Orders over time. */
	async series(): Promise<SalesSeries | null> {
		const sale = this.#stock.sale;
		return sale ? this.#figures.series(sale, Date.now()) : null;
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
		const sale = this.#stock.sale;
		if (!sale) return null;
		// The home object of a sale with shards has no orders: its shards do.
		if (sale.shards > 1 && !this.#lease.identity) return this.#shards.reconcileOrderBook(sale);
		return { resent: await this.#audit.compare() };
	}

	/**
	 * Makes this object shard `shard` of its sale, lent `leases` (its home
	 * object calls this). Once a buyer has an order here the shard keeps
	 * what it has: a repeated call, its answer lost, must not lose orders.
	 * Until then it takes the configuration whenever it comes, also after
	 * the start it had (a shard that missed an admin's change is sent it
	 * again later), unless it has applied a later lease than the call
	 * carries: the call is older than what the coordinator has told it since.
	 */
	configureShard(
		saleId: string,
		input: SaleInput,
		shard: number,
		leases: Record<string, Lease>,
		chunks: Record<string, number>,
		whole: SaleRecord,
	): void {
		if (this.#hasTables && (this.#stock.buyers > 0 || this.#lease.isPast(leases))) return;
		if (!this.#hasTables) this.#open();
		const allotted = new Map(Object.entries(leases).map(([variantId, lease]) => [variantId, lease.total]));
		this.ctx.storage.transactionSync(() => {
			this.#stock.configure(saleId, input, allotted);
			this.#lease.configure(
				shard,
				input.shards ?? 1,
				new Map(Object.entries(leases)),
				new Map(Object.entries(chunks)),
				whole,
			);
		});
		this.#stock.load();
		this.#lease.load();
	}

	/** In a shard: gives back the unsold units of a variant to the coordinator, as lease `version`. */
	surrender(variantId: string, version: number): Lease {
		this.#settled(Date.now());
		return this.#lease.surrender(variantId, version);
	}

	/** In the home object: lends a shard units of a variant (see `Coordinator.acquire`). */
	acquireLease(shard: number, request: LeaseRequest): Promise<LeaseAnswer> {
		return this.#shards.acquire(shard, request);
	}

	/** In the home object: units came back on a shard; hands them to waiting buyers. */
	async unitsReturned(variantIds: string[]): Promise<void> {
		this.#settled(Date.now());
		await this.#shards.unitsReturned(variantIds);
	}

	/**
	 * In a shard: takes units the coordinator hands over for a waiting buyer
	 * and places the buyer's held order, in one transaction; false if the
	 * buyer has a live order by now (the units stay here for anyone).
	 */
	receiveHandover(variantId: string, lease: Lease, userId: string, quantity: number): boolean {
		const now = Date.now();
		const sale = this.#settled(now);
		if (!sale) throw new Error("receiveHandover() before configureShard()");
		return this.#heldOrders.receiveHandover(sale, variantId, lease, userId, quantity, now);
	}

	/** In the home object: keeps a shard's figures; answers the sale as a whole. */
	shardReport(shard: number, figures: ShardFigures): SaleRecord | null {
		const sale = this.#stock.sale;
		if (!sale) return null;
		this.#shards.report(shard, figures);
		return this.#figures.record(sale);
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
		this.#waitlist.load();
		this.#outcomes.load();
		this.#draw.load();
		this.#lease.load();
		this.#shards.load();
	}

	/** The sale once the holds due by `now` are settled and, from its end, the waitlist is emptied. */
	#settled(now: number): SaleRow | null {
		if (!this.#stock.sale) return null;
		this.#settle(now);
		return this.#stock.sale;
	}

	#settle(dueBy: number): void {
		this.#holds.settle(dueBy);
		const sale = this.#stock.sale;
		if (sale && dueBy >= sale.endsAt) this.#waitlist.clear();
	}

	#requireSale(): SaleRow {
		const sale = this.#stock.sale;
		if (!sale) throw new Error("the sale is not configured");
		return sale;
	}

	/** The variant a purchase, draw entry or waitlist entry names, or the `400` it gets. */
	#variantFor(sale: SaleRow, quantity: number, variantId: string | undefined): VariantStock | InvalidRequest {
		const invalid = (problem: string): InvalidRequest => ({
			ok: false,
			reason: "invalid_request",
			problem,
			sale: this.#figures.record(sale),
		});
		if (quantity > sale.maxPerUser) return invalid(`quantity: at most ${sale.maxPerUser} per buyer`);
		const variants = this.#stock.variants;
		if (variantId === undefined) {
			const only = variants.length === 1 ? variants[0] : undefined;
			return only ?? invalid("variantId: required, this sale has several variants");
		}
		return (
			variants.find((variant) => variant.id === variantId) ??
			invalid(`variantId: this sale has no variant "${variantId}"`)
		);
	}

	/**
	 * Once the queue has taken orders they are out of the outbox's hands, so
	 * the audit becomes due; it is stored before the outbox lets them go.
	 */
	async #send(bodies: OrderQueueBody[]): Promise<void> {
		await this.env.ORDER_QUEUE.sendBatch(bodies.map((body) => ({ body })));
		this.#audit.expect();
	}
}
