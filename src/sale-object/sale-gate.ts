import { DurableObject } from "cloudflare:workers";
import type { Order, OrderMessage, OrderQueueBody } from "../domain/order";
import { COUNTED_OUTCOMES, EDGE_OUTCOMES, type EdgeOutcome } from "../domain/outcome";
import {
	type Sale,
	type SaleInput,
	type SaleRecord,
	type SaleRow,
	saleStatus,
	withStatus,
} from "../domain/sale";
import { leaseChunk, shardName, shardOf } from "../domain/shards";
import { orderBookDb, recordedTally, recordedVersions } from "../order-book/queries";
import type { Payment } from "../payments/payment";
import { paymentProvider } from "../payments/payment-provider";
import { AlarmScheduler } from "./alarm-scheduler";
import {
	Coordinator,
	type Lease,
	type LeaseAnswer,
	type LeaseRequest,
	type ShardFigures,
} from "./coordinator";
import { DrawEntries } from "./draw-entries";
import type { BeaconChoice, DrawRefusal, DrawView, EntrantsPage, Entry, EntryResult } from "./draw-results";
import { DrawRunner } from "./draw-runner";
import { Holds } from "./holds";
import { OrderBookAudit } from "./order-book-audit";
import { Outbox } from "./outbox";
import { OutcomeCounters } from "./outcome-counters";
import { Payments } from "./payments";
import type {
	ConfigureResult,
	GateStats,
	InvalidRequest,
	OrderResult,
	PaymentResult,
	PurchaseResult,
	SaleOverview,
	SalesSeries,
	WaitingResult,
	WaitlistResult,
} from "./results";
import { SeriesTally } from "./sales-series";
import { migrate, storedVersion } from "./schema";
import { ShardLease } from "./shard-lease";
import { Stock, type VariantStock } from "./stock";
import { Waitlist } from "./waitlist";

/** How long after orders leave for the queue the order book is audited, unless `ORDER_BOOK_AUDIT_SECONDS` says otherwise. */
const ORDER_BOOK_AUDIT_SECONDS = 30;

/** A sold-out sale with more buyers than this keeps answering every purchase itself. */
const MAX_SHARED_HOLDERS = 10_000;
/** How often a purchase on a shard asks for units again when other purchases took what it was lent first. */
const MAX_LEASE_ROUNDS = 6;
/** How soon the home object tries again to configure a shard it could not reach. */
const SHARD_SETUP_RETRY_MS = 5_000;

/**
 * The authority for one sale, one object per sale id: its stock, its window
 * and its buyers, in this object's SQLite storage. A Durable Object runs one
 * request at a time, and every purchase is a single synchronous
 * transaction, so no two buyers can ever take the same unit.
 *
 * The class wires small capabilities, each owning its tables, and exposes
 * them as typed RPC: the stock and its buyers, the holds and their
 * deadlines, the waitlist, the outbox to the order book, the outcome
 * counters, the sales series, and the one alarm that serves every deadline.
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
	readonly #series: SeriesTally;
	readonly #audit: OrderBookAudit;
	readonly #payments: Payments;
	readonly #entries: DrawEntries;
	readonly #draw: DrawRunner;
	readonly #lease: ShardLease;
	readonly #coordinator: Coordinator;
	readonly #askShardSetup: (at: number) => void;
	readonly #askWaitlistEnd: (at: number) => void;
	/** Tables come with the first `configure`, so a request for a made-up sale id reads nothing and writes nothing. */
	#hasTables = false;
	/** The configured payment provider's name, read once: the configuration does not change while the object lives. */
	#providerName: string | null | undefined;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		const storage = ctx.storage;
		this.#scheduler = new AlarmScheduler(storage);
		this.#stock = new Stock(storage);
		this.#waitlist = new Waitlist(storage.sql);
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
			confirm: (seq, paidAt) => this.#confirm(seq, paidAt),
			expire: (seq) => this.#release([seq], "expired"),
			earliestHoldExpiry: () => this.#stock.earliestHoldExpiry(),
			dueHolds: (dueBy, limit) => this.#stock.dueHolds(dueBy, limit),
			schedule: (name, work) => this.#scheduler.add(name, work),
		});
		// A hold whose checkout session is still to be closed waits for the provider's word (payments.ts).
		this.#holds = new Holds({
			earliestExpiry: () => this.#payments.earliestHoldExpiry(),
			due: (dueBy, limit) => this.#payments.dueHolds(dueBy, limit),
			expire: (seqs) => this.#release(seqs, "expired"),
			wakeAt: this.#scheduler.add("holds", (dueBy) => this.#settle(dueBy)),
		});
		this.#askWaitlistEnd = this.#scheduler.add("waitlist", (dueBy) => this.#settle(dueBy));
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
				tally: () => recordedTally(orderBook, this.#saleId(), this.#lease.identity),
				versions: (afterSeq, throughSeq) =>
					recordedVersions(orderBook, this.#saleId(), afterSeq, throughSeq, this.#lease.identity),
			},
			resend: (seqs) => this.#outbox.resend(seqs),
			wakeAt: this.#scheduler.add("order-book-audit", (dueBy) => this.#audit.run(dueBy)),
			intervalMs: auditIntervalSeconds(env) * 1000,
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
		this.#lease = new ShardLease({
			storage,
			stock: this.#stock,
			coordinator: () => env.SALE_GATE.getByName(this.#saleId()),
			figures: () => this.#shardFigures(),
			reportAt: this.#scheduler.add("shard-report", () => this.#lease.report()),
		});
		this.#coordinator = new Coordinator({
			storage,
			shard: (index) => env.SALE_GATE.getByName(shardName(this.#saleId(), index)),
			record: () => this.#recordOf(this.#requireSale()),
			variants: () => this.#stock.variants,
			waitlist: this.#waitlist,
			shardOf: (userId) => {
				const sale = this.#requireSale();
				return shardOf(sale.id, userId, sale.shards);
			},
		});
		this.#askShardSetup = this.#scheduler.add("shard-setup", () => this.#setUpShards());
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
			if (this.#coordinator.unconfigured().length > 0) this.#askShardSetup(Date.now());
			const sale = this.#stock.sale;
			if (sale && this.#waitlist.size > 0) this.#askWaitlistEnd(sale.endsAt);
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
			this.#coordinator.configure(this.#stock.variants, input.shards ?? 1);
		});
		await this.#setUpShards();
		return {
			ok: true,
			sale: withStatus(this.#recordOf(this.#requireSale()), now),
			created: current === null,
		};
	}

	/** The sale with its live figures, or null if it was never configured. */
	view(): Sale | null {
		const now = Date.now();
		const sale = this.#settled(now);
		return sale ? withStatus(this.#recordOf(sale), now) : null;
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
		attemptId?: string,
		variantId?: string,
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
		const now = Date.now();
		const sale = this.#settled(now);
		if (!sale) return { ok: false, reason: "sale_not_found" };
		if (sale.mode === "draw") return { ok: false, reason: "draw_sale" };
		if (sale.shards > 1 && this.#lease.identity?.shard !== shardOf(sale.id, userId, sale.shards)) {
			return { ok: false, reason: "wrong_shard", shards: sale.shards };
		}
		const orders = this.#stock.ordersOf(userId);
		if (orders.live) {
			const created = attemptId !== undefined && orders.live.attemptId === attemptId;
			if (!created) {
				this.#outcomes.count("duplicate");
				this.#lease.reportSoon();
			}
			return { ok: true, order: orders.live.order, created, remaining: sale.remaining };
		}
		const earlier = attemptId === undefined ? null : orders.byAttempt(attemptId);
		if (earlier) return { ok: true, order: earlier.order, created: true, remaining: sale.remaining };

		const status = saleStatus(sale, now);
		if (status === "upcoming") return this.#refuse("not_started", sale);
		if (status === "ended") return this.#refuse("ended", sale);
		const variant = this.#variantFor(sale, quantity, variantId);
		if (!("remaining" in variant)) return variant;
		if (variant.remaining < quantity) {
			if (sale.shards === 1) return this.#refuse("sold_out", sale);
			return this.#purchaseOnLease(userId, quantity, attemptId, variant.id, leaseRounds);
		}

		const order = newOrder(sale, userId, variant.id, quantity, now);
		const waiting = this.#waitlist.size > 0;
		const { remaining } = this.#stock.take(order, attemptId ?? null, !orders.any, (seq) => {
			this.#outbox.add(seq);
			// A buyer who gets an order any other way leaves the waitlist.
			if (waiting) this.#waitlist.leave(userId);
			this.#outcomes.save();
		});
		if (order.holdExpiresAt !== null) this.#holds.placed(order.holdExpiresAt);
		this.#outbox.committed();
		this.#lease.sold(variant.id);
		return { ok: true, order, created: true, remaining: this.#lease.sale?.remaining ?? remaining };
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
		const verdict =
			leaseRounds < MAX_LEASE_ROUNDS ? await this.#lease.acquire(variantId, quantity) : "unavailable";
		if (verdict === "granted") return this.#purchase(userId, quantity, attemptId, variantId, leaseRounds + 1);
		const sale = this.#requireSale();
		if (verdict === "sold_out") return this.#refuse("sold_out", sale);
		return { ok: false, reason: "unavailable" };
	}

	/**
	 * Enters the buyer in a draw sale while it is live: one entry per buyer,
	 * and a retry gets the same entry back (`created: false`).
	 */
	enter(userId: string, quantity: number, variantId?: string): EntryResult {
		const now = Date.now();
		const sale = this.#settled(now);
		if (!sale) return { ok: false, reason: "sale_not_found" };
		if (sale.mode !== "draw") return { ok: false, reason: "not_a_draw" };
		const entry = this.#entries.of(userId);
		if (entry) return { ok: true, entry, created: false };
		if (now < sale.startsAt) return { ok: false, reason: "not_started", sale: this.#recordOf(sale) };
		if (now >= sale.endsAt) return { ok: false, reason: "ended", sale: this.#recordOf(sale) };
		const variant = this.#variantFor(sale, quantity, variantId);
		if (!("remaining" in variant)) return variant;
		if (quantity > variant.totalStock) {
			return {
				ok: false,
				reason: "invalid_request",
				problem: `quantity: variant "${variant.id}" has only ${variant.totalStock} units`,
				sale: this.#recordOf(sale),
			};
		}
		return { ok: true, entry: this.#draw.enter(sale, userId, variant.id, quantity, now), created: true };
	}

	/** The buyer's entry in a draw sale, or null. */
	entryOf(userId: string): { ok: true; entry: Entry | null } | DrawRefusal {
		const sale = this.#settled(Date.now());
		if (!sale) return { ok: false, reason: "sale_not_found" };
		if (sale.mode !== "draw") return { ok: false, reason: "not_a_draw" };
		return { ok: true, entry: this.#entries.of(userId) };
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
		if (!sale) return { ok: false, reason: "sale_not_found" };
		if (sale.mode !== "draw") return { ok: false, reason: "not_a_draw" };
		if (!this.#draw.frozen(now)) return { ok: false, reason: "not_started", sale: this.#recordOf(sale) };
		const entrants = this.#entries.page(after, limit);
		const last = entrants.at(-1);
		return { ok: true, entrants, nextCursor: entrants.length === limit && last ? last.commitment : null };
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
		return this.#held(userId, () => {});
	}

	/**
	 * Gives back the buyer's held order: it is cancelled and its units return
	 * at once (to the waitlist first); its checkout session is closed.
	 */
	cancel(userId: string): OrderResult {
		return this.#held(userId, (seq) => {
			this.#release([seq], "cancelled");
			this.#payments.cancelled(seq, Date.now());
		});
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
		const named = this.#stock.ordersOf(userId).byId(orderId);
		const held = named?.order.status === "held" ? named : null;
		this.#payments.keepCheckout(
			orderId,
			held?.seq ?? null,
			sessionId,
			held?.order.holdExpiresAt ?? null,
			now,
		);
		if (!named) return { ok: false, reason: "no_order" };
		if (!held) return { ok: false, reason: "not_held", order: named.order };
		return { ok: true, order: held.order };
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
		return this.#held(userId, (seq) => {
			if (outcome === "paid") this.#confirm(seq, Date.now());
		});
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
		if (sale.shards > 1) return this.#joinSaleWaitlist(sale, userId, quantity, variantId);
		if (this.#stock.ordersOf(userId).live) return { ok: false, reason: "has_order" };
		const status = saleStatus(sale, now);
		if (status === "upcoming") return { ok: false, reason: "not_started", sale: this.#recordOf(sale) };
		if (status === "ended") return { ok: false, reason: "ended", sale: this.#recordOf(sale) };
		const variant = this.#variantFor(sale, quantity, variantId);
		if (!("remaining" in variant)) return variant;
		if (variant.remaining >= quantity) return { ok: false, reason: "not_sold_out" };
		// With nothing held, nothing can come back; a sale without holds never holds anything.
		if (variant.held === 0) return { ok: false, reason: "sold_out", sale: this.#recordOf(sale) };
		const joined = this.#waitlist.join({ userId, variantId: variant.id, quantity }, now);
		this.#askWaitlistEnd(sale.endsAt);
		return { ok: true, position: joined, created: true };
	}

	/**
	 * In the home object of a sale with shards, which keeps the sale's one
	 * waitlist: the same rules, with the units from the shards' reports and
	 * the buyer's order from their shard.
	 */
	async #joinSaleWaitlist(
		sale: SaleRow,
		userId: string,
		quantity: number,
		variantId: string | undefined,
	): Promise<WaitlistResult> {
		const now = Date.now();
		const status = saleStatus(sale, now);
		if (status === "upcoming") return { ok: false, reason: "not_started", sale: this.#recordOf(sale) };
		if (status === "ended") return { ok: false, reason: "ended", sale: this.#recordOf(sale) };
		const variant = this.#variantFor(sale, quantity, variantId);
		if (!("remaining" in variant)) return variant;
		const units = this.#coordinator.totals(this.#stock.variants).get(variant.id);
		if (!units || units.remaining >= quantity) return { ok: false, reason: "not_sold_out" };
		if (units.held === 0) return { ok: false, reason: "sold_out", sale: this.#recordOf(sale) };
		const order = await this.#shardObject(sale, shardOf(sale.id, userId, sale.shards)).orderOf(userId);
		if (order?.status === "held" || order?.status === "confirmed") return { ok: false, reason: "has_order" };
		const position = this.#waitlist.positionOf(userId);
		if (position !== null) return { ok: true, position, created: false };
		const joined = this.#waitlist.join({ userId, variantId: variant.id, quantity }, now);
		this.#askWaitlistEnd(sale.endsAt);
		// Units may have come back while the buyer decided to wait.
		this.#coordinator.handOver(variant.id).catch(() => {});
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
			sale: withStatus(this.#recordOf(sale), now),
			stats: this.#stats(sale),
			series: await this.#seriesOf(sale, now),
		};
	}

	/** The sale's live figures. */
	stats(): GateStats | null {
		const sale = this.#settled(Date.now());
		return sale ? this.#stats(sale) : null;
	}

	/** Orders over time. */
	async series(): Promise<SalesSeries | null> {
		const sale = this.#stock.sale;
		return sale ? this.#seriesOf(sale, Date.now()) : null;
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
		if (sale.shards > 1 && !this.#lease.identity) {
			const runs = await Promise.all(
				Array.from({ length: sale.shards }, (_, shard) =>
					this.#shardObject(sale, shard).reconcileOrderBook(),
				),
			);
			return { resent: runs.reduce((sum, run) => sum + (run?.resent ?? 0), 0) };
		}
		return { resent: await this.#audit.compare() };
	}

	/**
	 * Makes this object shard `shard` of its sale, lent `leases` (its home
	 * object calls this). Once the sale has started a shard keeps what it
	 * has: a repeated call, its answer lost, must not lose its orders.
	 */
	configureShard(
		saleId: string,
		input: SaleInput,
		shard: number,
		leases: Record<string, Lease>,
		chunks: Record<string, number>,
		whole: SaleRecord,
	): void {
		const current = this.#stock.sale;
		if (current && Date.now() >= current.startsAt) return;
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
		return this.#coordinator.acquire(shard, request);
	}

	/** In the home object: units came back on a shard; hands them to waiting buyers. */
	async unitsReturned(variantIds: string[]): Promise<void> {
		this.#settled(Date.now());
		await Promise.all(variantIds.map((variantId) => this.#coordinator.handOver(variantId)));
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
		let placed = false;
		this.ctx.storage.transactionSync(() => {
			this.#lease.apply(variantId, lease);
			const orders = this.#stock.ordersOf(userId);
			const units = this.#stock.remainingOf(variantId);
			if (orders.live || units < quantity) return;
			const order = newOrder(sale, userId, variantId, quantity, now);
			this.#outbox.add(this.#stock.place(order, null, !orders.any));
			placed = true;
		});
		this.#stock.load();
		this.#holds.resume();
		this.#outbox.committed();
		this.#lease.reportSoon();
		return placed;
	}

	/** In the home object: keeps a shard's figures; answers the sale as a whole. */
	shardReport(shard: number, figures: ShardFigures): SaleRecord | null {
		const sale = this.#stock.sale;
		if (!sale) return null;
		this.#coordinator.report(shard, figures);
		return this.#recordOf(sale);
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
		this.#coordinator.load();
	}

	#saleId(): string {
		const sale = this.#stock.sale;
		if (!sale) throw new Error("order book audit before configure()");
		return sale.id;
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

	/** Looks up the buyer's latest order and, if it is held, runs `change` on it and answers it as it is then. */
	#held(userId: string, change: (seq: number) => void): OrderResult {
		if (!this.#settled(Date.now())) return { ok: false, reason: "sale_not_found" };
		const latest = this.#stock.ordersOf(userId).latest;
		if (!latest) return { ok: false, reason: "no_order" };
		if (latest.order.status !== "held") return { ok: false, reason: "not_held", order: latest.order };
		change(latest.seq);
		const order = this.#stock.messages([latest.seq])[0];
		if (!order) throw new Error(`order ${latest.seq} vanished`);
		const { seq: _seq, version: _version, ...shown } = order;
		return { ok: true, order: shown };
	}

	/**
	 * Ends held orders as expired or cancelled, returns their units, and
	 * hands them to waiting buyers, all in one transaction: at no moment is
	 * a returned unit `remaining` while a waiting buyer's quantity fits it.
	 */
	#release(seqs: readonly number[], status: "expired" | "cancelled"): void {
		const now = Date.now();
		const returned = new Set<string>();
		this.ctx.storage.transactionSync(() => {
			for (const { seq, variantId } of this.#stock.release(seqs, status)) {
				this.#outbox.add(seq);
				returned.add(variantId);
			}
			for (const variantId of returned) this.#handOver(variantId, now);
		});
		this.#stock.load();
		this.#waitlist.load();
		this.#holds.resume();
		this.#outbox.committed();
		this.#lease.reportSoon();
		// In a sale with shards the one waitlist is the coordinator's.
		this.#lease.returned([...returned]);
	}

	/** Gives a variant's units, while any waiting buyer's quantity fits them, to the earliest such buyer as a fresh hold. */
	#handOver(variantId: string, now: number): void {
		const sale = this.#requireSale();
		// A draw has no waitlist: its returned units go to the runners-up.
		if (sale.mode === "draw") {
			this.#draw.offer(variantId, now);
			return;
		}
		if (now >= sale.endsAt) return;
		for (;;) {
			const units = this.#stock.remainingOf(variantId);
			const waiter = this.#waitlist.firstFitting(variantId, units);
			if (!waiter) return;
			this.#waitlist.leave(waiter.userId);
			const order = newOrder(sale, waiter.userId, variantId, waiter.quantity, now);
			const seq = this.#stock.place(order, null, !this.#stock.ordersOf(waiter.userId).any);
			this.#outbox.add(seq);
		}
	}

	#confirm(seq: number, paidAt: number): void {
		this.ctx.storage.transactionSync(() => {
			if (this.#stock.confirm(seq, paidAt)) this.#outbox.add(seq);
		});
		this.#stock.load();
		this.#outbox.committed();
		this.#lease.reportSoon();
	}

	/** The variant a purchase or waitlist entry names, or the `400` it gets. */
	#variantFor(sale: SaleRow, quantity: number, variantId: string | undefined): VariantStock | InvalidRequest {
		const invalid = (problem: string): InvalidRequest => ({
			ok: false,
			reason: "invalid_request",
			problem,
			sale: this.#recordOf(sale),
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
	 * Orders over time, and for a draw sale entries over time too. The home
	 * object of a sale with shards sums its shards' (a shard that cannot be
	 * reached is left out rather than failing the admin's view).
	 */
	async #seriesOf(sale: SaleRow, now: number): Promise<SalesSeries> {
		if (sale.shards > 1 && !this.#lease.identity) {
			const own = this.#series.of(sale, now);
			const shards = await Promise.allSettled(
				Array.from({ length: sale.shards }, (_, shard) => this.#shardObject(sale, shard).series()),
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
		const series = this.#series.of(sale, now);
		return sale.mode === "draw" ? { ...series, entered: this.#entries.perBucket(sale, now) } : series;
	}

	#refuse(reason: "sold_out" | "not_started" | "ended", sale: SaleRow): PurchaseResult {
		this.#outcomes.count(reason);
		this.#lease.reportSoon();
		return { ok: false, reason, sale: this.#recordOf(sale) };
	}

	/** The sale as the contract shows it, with its variants, units held, waitlist and payment provider. */
	#recordOf(sale: SaleRow): SaleRecord {
		const whole = this.#lease.sale;
		if (whole) return whole;
		if (sale.shards > 1) return this.#wholeSale(sale);
		return {
			...sale,
			variants: this.#stock.variants.map(({ id, name, totalStock, remaining }) => ({
				id,
				name,
				totalStock,
				remaining,
			})),
			held: this.#stock.held,
			waitlist: this.#waitlist.size,
			paymentProvider: this.#paymentProviderName(),
		};
	}

	/** In the home object of a sale with shards: the sale as a whole, from what the shards reported. */
	#wholeSale(sale: SaleRow): SaleRecord {
		const totals = this.#coordinator.totals(this.#stock.variants);
		const variants = this.#stock.variants.map(({ id, name, totalStock }) => ({
			id,
			name,
			totalStock,
			remaining: totals.get(id)?.remaining ?? totalStock,
		}));
		return {
			...sale,
			remaining: variants.reduce((sum, variant) => sum + variant.remaining, 0),
			variants,
			held: [...totals.values()].reduce((sum, variant) => sum + variant.held, 0),
			waitlist: this.#waitlist.size,
			paymentProvider: this.#paymentProviderName(),
		};
	}

	#paymentProviderName(): string | null {
		if (this.#providerName === undefined) {
			try {
				this.#providerName = paymentProvider(this.env)?.name ?? null;
			} catch {
				// A misconfigured provider takes no payments: the admin route says why when a sale needs one.
				this.#providerName = null;
			}
		}
		return this.#providerName;
	}

	/**
	 * The v1 figures, and for a sale with sizes or holds the v2 ones too: a
	 * sale created without the v2 fields answers exactly as in v1.
	 */
	#stats(sale: SaleRow): GateStats {
		if (sale.shards > 1 && !this.#lease.identity) return this.#wholeStats(sale);
		const buyers = this.#stock.buyers;
		const v1 = {
			sold: sale.totalStock - sale.remaining,
			remaining: sale.remaining,
			buyers,
			outcomes: { confirmed: buyers, ...this.#outcomes.snapshot() },
		};
		const variants = this.#stock.variants;
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
			held: this.#stock.held,
			confirmed,
			...this.#stock.endedOrders(),
			waitlist: this.#waitlist.size,
			revenueCents: sale.holdSeconds > 0 ? confirmed * sale.priceCents : 0,
			...this.#payments.figures(),
			variants: perVariant,
		};
	}

	/**
	 * In the home object of a sale with shards: the sale's figures summed
	 * from the shards' latest reports, with each shard's own and the
	 * coordinator's load.
	 */
	#wholeStats(sale: SaleRow): GateStats {
		const record = this.#wholeSale(sale);
		const sums = this.#coordinator.sums();
		const own = this.#outcomes.snapshot();
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
		const totals = this.#coordinator.totals(this.#stock.variants);
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
			waitlist: this.#waitlist.size,
			revenueCents: sale.holdSeconds > 0 ? confirmed * sale.priceCents : 0,
			refundsPending: sums.refundsPending,
			refundsFailed: sums.refundsFailed,
			variants: perVariant,
		};
	}

	/** What a shard reports of itself to its coordinator. */
	#shardFigures(): ShardFigures {
		const refunds = this.#payments.figures();
		return {
			at: Date.now(),
			variants: this.#stock.variants.map((variant) => ({
				id: variant.id,
				...this.#lease.lease(variant.id),
				remaining: variant.remaining,
				held: variant.held,
			})),
			buyers: this.#stock.buyers,
			outcomes: this.#outcomes.snapshot(),
			...this.#stock.endedOrders(),
			refundsPending: refunds.refundsPending,
			refundsFailed: refunds.refundsFailed,
		};
	}

	/**
	 * In the home object of a sale with shards: configures every shard not
	 * yet known to have its configuration, with its leases as the ledger has
	 * them; one that cannot be reached is tried again from the alarm.
	 */
	async #setUpShards(): Promise<void> {
		const sale = this.#stock.sale;
		const pending = this.#coordinator.unconfigured();
		if (!sale || pending.length === 0) return;
		const input = this.#inputOf(sale);
		const whole = this.#recordOf(sale);
		const chunks = Object.fromEntries(
			this.#stock.variants.map((variant) => [variant.id, leaseChunk(variant.totalStock, sale.shards)]),
		);
		const results = await Promise.allSettled(
			pending.map((shard) =>
				this.env.SALE_GATE.getByName(shardName(sale.id, shard)).configureShard(
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
		if (this.#coordinator.unconfigured().length > 0) this.#askShardSetup(Date.now() + SHARD_SETUP_RETRY_MS);
	}

	#shardObject(sale: SaleRow, shard: number): DurableObjectStub<SaleGate> {
		return this.env.SALE_GATE.getByName(shardName(sale.id, shard));
	}

	/** The sale's configuration as an admin gave it, to configure its shards with. */
	#inputOf(sale: SaleRow): SaleInput {
		return {
			name: sale.name,
			description: sale.description,
			priceCents: sale.priceCents,
			currency: sale.currency,
			totalStock: sale.totalStock,
			startsAt: sale.startsAt,
			endsAt: sale.endsAt,
			maxPerUser: sale.maxPerUser,
			variants: this.#stock.variants.map(({ id, name, totalStock }) => ({ id, name, totalStock })),
			...(sale.imageUrl === null ? {} : { imageUrl: sale.imageUrl }),
			holdSeconds: sale.holdSeconds,
			mode: sale.mode,
			shards: sale.shards,
		};
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

function auditIntervalSeconds(env: Env): number {
	const seconds = Number(env.ORDER_BOOK_AUDIT_SECONDS);
	return Number.isFinite(seconds) && seconds > 0 ? seconds : ORDER_BOOK_AUDIT_SECONDS;
}

/** A new order for the buyer: held for the sale's hold time if it has one, else confirmed at once (v1). */
function newOrder(sale: SaleRow, userId: string, variantId: string, quantity: number, now: number): Order {
	const held = sale.holdSeconds > 0;
	return {
		id: crypto.randomUUID(),
		saleId: sale.id,
		userId,
		variantId,
		quantity,
		amountCents: sale.priceCents * quantity,
		currency: sale.currency,
		status: held ? "held" : "confirmed",
		createdAt: now,
		holdExpiresAt: held ? now + sale.holdSeconds * 1000 : null,
		paidAt: null,
	};
}
