import { issuePurchaseToken, isValidPurchaseToken } from "../auth/purchase-token";
import type { Order } from "../domain/order";
import { EDGE_OUTCOMES, type EdgeOutcome } from "../domain/outcome";
import {
	type Sale,
	type SaleInput,
	type SaleRecord,
	saleStatus,
	unitsCanReturn,
	withStatus,
} from "../domain/sale";
import { relayName, shardName, shardOf } from "../domain/shards";
import type { Entrant } from "../draw/entrant-list";
import { ApiError, invalidRequest } from "../http-error";
import { callObject } from "../object-call";
import type { Payment } from "../payments/payment";
import type { RelayedPurchase } from "../relay/purchase-relay";
import type {
	BeaconChoice,
	DrawView,
	EntrantsPage,
	Entry,
	EntryResult,
	OrderResult,
	PurchaseRequest,
	SaleGate,
	WaitlistResult,
} from "../sale-object";
import type { PaymentApplied } from "../sale-object/payments";

/** The contract lets the public view of a sale lag the truth by up to 2 s. */
const VIEW_TTL_MS = 1_000;
/** An isolate reports the refusals it decided itself to a sale at most this often. */
const REPORT_INTERVAL_MS = 1_000;
/**
 * How long other requests leave the holder list to the request that asked
 * for it before one of them asks again: the asking request may be cancelled
 * (its client gone) and its call never settle.
 */
const HOLDERS_ASK_TIMEOUT_MS = 2_000;

/** What this isolate remembers of one sale that exists. */
interface SaleMemory {
	sale: SaleRecord;
	fetchedAt: number;
	/**
	 * Once the sale is sold out: by shard, its final holders, or null if the
	 * shard would not hand them out (too many, or not final yet). A shard is
	 * absent until an answer came.
	 */
	holders?: Map<number, Set<string> | null>;
	/** By shard, when a request of this isolate last asked for its holders without an answer yet. */
	holdersAskedAt?: Map<number, number>;
	/** Refusals decided here and not yet reported to the sale's object. */
	unreported?: Record<EdgeOutcome, number>;
}

/**
 * Per-isolate memory of the sales this isolate has seen. Only sales whose
 * object answered are remembered: ids anyone can make up must not grow it.
 */
const memory = new Map<string, SaleMemory>();

/**
 * Confirmed orders this isolate has read, by sale and buyer. A confirmed
 * order never changes again and stays the buyer's live order, so a waiting
 * page that polls it after payment is answered from here. Oldest first, so
 * the cap drops the oldest.
 */
const confirmedOrders = new Map<string, Order>();
/** At most this many confirmed orders are remembered per isolate (a few MB). */
const MAX_CONFIRMED_ORDERS = 20_000;

type Gate = DurableObjectStub<SaleGate>;

/**
 * Everything the edge knows and asks about one sale: the cached view, the
 * sold-out holder list, the refusals this isolate decided and reports in
 * batches, and the calls to the sale's Durable Object with their results
 * turned into contract errors. It is the only writer of that memory.
 */
export class SaleClient {
	readonly #env: Env;
	readonly #saleId: string;
	readonly #waitUntil: (promise: Promise<unknown>) => void;

	/** @param waitUntil keeps the batched report of edge refusals running after the response */
	constructor(env: Env, saleId: string, waitUntil: (promise: Promise<unknown>) => void = () => {}) {
		this.#env = env;
		this.#saleId = saleId;
		this.#waitUntil = waitUntil;
	}

	/**
	 * The sale as this isolate last saw it, if that is still good enough to
	 * answer from without asking its object: seen at most VIEW_TTL_MS ago,
	 * or sold out for good, which a sale then stays (see `isFinallySoldOut`).
	 */
	known(now: number): Sale | undefined {
		const seen = memory.get(this.#saleId);
		if (!seen) return undefined;
		const sale = withStatus(seen.sale, now);
		return now - seen.fetchedAt <= VIEW_TTL_MS || isFinallySoldOut(sale) ? sale : undefined;
	}

	/** The public view, from memory when fresh enough, else from the object. */
	async view(now: number): Promise<Sale> {
		const known = this.known(now);
		if (known) return known;
		const sale = await this.#call((gate) => gate.view());
		if (!sale) throw new ApiError("sale_not_found");
		this.#remember(sale, now);
		return withStatus(sale, now);
	}

	/**
	 * Throws the contract's answer when this isolate already knows the sale
	 * is not live and cannot become live again. A sale sold out while units
	 * are held is not refused from memory: a hold may expire and its unit
	 * come back, and buyers may join the waitlist meanwhile.
	 */
	refuseIfKnownClosed(now: number): void {
		const sale = this.known(now);
		if (!sale || sale.status === "live") return;
		if (sale.status === "sold_out" && !isFinallySoldOut(sale)) return;
		throw saleClosed(sale.status, sale);
	}

	/** A purchase token for this sale and buyer, if the sale is live now; else the contract's answer. */
	async issuePurchaseToken(
		buyerId: string,
		now: number,
	): Promise<{ purchaseToken: string; expiresAt: number }> {
		const sale = await this.#viewForToken(now);
		// Sold out while units are held, a buyer may still buy one that comes back, or wait for it.
		if (sale.status !== "live" && (sale.status !== "sold_out" || isFinallySoldOut(sale))) {
			throw saleClosed(sale.status, sale);
		}
		const expiresAt = now + Number(this.#env.PURCHASE_TOKEN_TTL_SECONDS) * 1000;
		const purchaseToken = await issuePurchaseToken(
			this.#env.SESSION_SECRET,
			this.#saleId,
			buyerId,
			expiresAt,
		);
		return { purchaseToken, expiresAt };
	}

	/**
	 * The view a purchase token is issued on. In a sale with shards the
	 * shards decide every purchase, so while the sale's home object cannot be
	 * reached the view this isolate last had will do: buyers keep buying the
	 * units their shards hold.
	 */
	async #viewForToken(now: number): Promise<Sale> {
		try {
			return await this.view(now);
		} catch (error) {
			const seen = memory.get(this.#saleId);
			if (seen && seen.sale.shards > 1 && error instanceof ApiError && error.code === "unavailable") {
				return withStatus(seen.sale, now);
			}
			throw error;
		}
	}

	/**
	 * Refuses a purchase token that is not valid for this sale and buyer,
	 * counting the refusal into the sale's figures. Checked here, at the
	 * edge, so a forged or stolen token never costs the object a request.
	 */
	async requirePurchaseToken(token: string, buyerId: string, now: number): Promise<void> {
		if (await isValidPurchaseToken(this.#env.SESSION_SECRET, token, this.#saleId, buyerId, now)) return;
		this.#countRefusal("invalid_token");
		throw new ApiError("invalid_token");
	}

	/**
	 * Refuses, as sold out, a buyer this isolate can tell would be refused:
	 * the sale is sold out for good (nothing held, so no unit can come back)
	 * and the buyer is not among its final holders.
	 * The first purchase after the isolate learns of the sell-out asks the
	 * object for the holders; a holder always goes on to the object and
	 * gets the order back, as the contract promises a retry.
	 */
	async refuseIfSoldOutFor(buyerId: string, quantity: number, now: number): Promise<void> {
		const seen = memory.get(this.#saleId);
		// Too many units is the object's `400` to give, before it says sold out.
		if (!seen || saleStatus(seen.sale, now) !== "sold_out" || !isFinallySoldOut(seen.sale)) return;
		if (quantity > seen.sale.maxPerUser) return;
		const holders = await this.#holders(seen, shardOf(this.#saleId, buyerId, seen.sale.shards), now);
		if (holders && !holders.has(buyerId)) {
			this.#countRefusal("sold_out");
			throw saleClosed("sold_out", seen.sale);
		}
	}

	/** Takes stock for the buyer, or throws the contract's refusal. */
	async purchase(
		buyerId: string,
		quantity: number,
		attemptId: string | undefined,
		variantId: string | undefined,
	): Promise<{ order: Order; created: boolean }> {
		const buy = () => this.#purchaseCall({ userId: buyerId, quantity, attemptId, variantId });
		let result = await buy().catch((error: unknown) => {
			if (error instanceof ApiError && error.code === "overloaded") this.#countRefusal("overloaded");
			throw error;
		});
		if (!result.ok && result.reason === "wrong_shard") {
			// This isolate knew the sale before an admin changed its shards: learn them and go to the right one.
			memory.delete(this.#saleId);
			result = await buy();
		}
		if (result.ok) {
			this.#rememberRemaining(result.remaining);
			return { order: result.order, created: result.created };
		}
		if ("sale" in result && result.sale) this.#remember(result.sale, Date.now());
		if (result.reason === "overloaded") this.#countRefusal("overloaded");
		throw purchaseRefused(result);
	}

	/**
	 * One purchase, sent to the buyer's object, or through one of its relays
	 * if the sale has them (any relay will do: they keep nothing, so the
	 * crowd spreads evenly over them).
	 */
	async #purchaseCall(request: PurchaseRequest): Promise<RelayedPurchase> {
		const { userId, quantity, attemptId, variantId } = request;
		const objectName = await this.#objectOf(userId);
		const relays = memory.get(this.#saleId)?.sale.relays ?? 0;
		if (relays === 0) {
			return this.#call((gate) => gate.purchase(userId, quantity, attemptId, variantId), userId, objectName);
		}
		// Drawn again for a retry, so a relay that failed is most likely not the one asked again.
		return this.#reach(() =>
			this.#env.PURCHASE_RELAY.getByName(relayName(objectName, Math.floor(Math.random() * relays))).purchase(
				objectName,
				request,
			),
		);
	}

	/**
	 * The buyer's order if this isolate knows it for certain without asking
	 * the object: a confirmed order (final); throws `no_order` where no buyer
	 * can have one (before the start), or where this buyer cannot (a sale
	 * without holds sold out for good, and they are not among its final
	 * holders: such a sale never ends an order). Undefined when only the object knows.
	 */
	knownOrderOf(buyerId: string, now: number): Order | undefined {
		const confirmed = confirmedOrders.get(orderKey(this.#saleId, buyerId));
		if (confirmed) return confirmed;
		if (this.known(now)?.status === "upcoming") throw new ApiError("no_order");
		const seen = memory.get(this.#saleId);
		const holders = seen?.holders?.get(shardOf(this.#saleId, buyerId, seen.sale.shards));
		if (seen && holders && seen.sale.holdSeconds === 0 && !holders.has(buyerId)) {
			throw new ApiError("no_order");
		}
		return undefined;
	}

	/** The buyer's live order, or else their latest, from the authoritative state. */
	async orderOf(buyerId: string): Promise<Order> {
		const order = await this.#call((gate) => gate.orderOf(buyerId), buyerId);
		if (!order) throw new ApiError("no_order");
		this.#rememberIfConfirmed(order);
		return order;
	}

	/** The buyer's held order, to start paying for it. */
	async heldOrder(buyerId: string): Promise<Order> {
		return orderOrRefusal(await this.#call((gate) => gate.heldOrder(buyerId), buyerId));
	}

	/** Cancels the buyer's held order; its units return at once. */
	async cancel(buyerId: string): Promise<Order> {
		return orderOrRefusal(await this.#call((gate) => gate.cancel(buyerId), buyerId));
	}

	/** Keeps the checkout session started for the buyer's held order; `409 not_held` if it ended meanwhile. */
	async keepCheckout(buyerId: string, orderId: string, sessionId: string): Promise<Order> {
		return orderOrRefusal(
			await this.#call((gate) => gate.keepCheckout(buyerId, orderId, sessionId), buyerId),
		);
	}

	/**
	 * Applies a payment the provider's event reports; null if there is no such
	 * sale. An object that cannot be reached is `503`, so the provider retries.
	 */
	async applyPayment(eventId: string, payment: Payment): Promise<PaymentApplied | null> {
		const result = await this.#call(
			(gate) => gate.applyPayment(eventId, payment),
			undefined,
			payment.shard === null ? undefined : shardName(this.#saleId, payment.shard),
		);
		return result.ok ? result.applied : null;
	}

	/** Applies a test provider payment to the buyer's held order. */
	async testPayment(buyerId: string, outcome: "paid" | "declined"): Promise<Order> {
		const order = orderOrRefusal(await this.#call((gate) => gate.testPayment(buyerId, outcome), buyerId));
		this.#rememberIfConfirmed(order);
		return order;
	}

	/** Puts the buyer on the waitlist; `created` is false if they were already on it. */
	async joinWaitlist(
		buyerId: string,
		quantity: number,
		variantId: string | undefined,
	): Promise<{ position: number; created: boolean }> {
		const result = await this.#call((gate) => gate.joinWaitlist(buyerId, quantity, variantId));
		if (result.ok) return result;
		if (result.sale) this.#remember(result.sale, Date.now());
		throw waitlistRefused(result);
	}

	/**
	 * Throws `not_waiting` when this isolate knows the buyer cannot be on the
	 * sale's waitlist: before the start, or in a sale without holds, which
	 * never has one (nothing is ever held, so nothing can come back).
	 */
	refuseIfKnownNotWaiting(now: number): void {
		const sale = this.known(now);
		if (sale && (sale.status === "upcoming" || sale.holdSeconds === 0)) throw new ApiError("not_waiting");
	}

	/** The buyer's position on the waitlist (1 = next). */
	async waitlistPosition(buyerId: string): Promise<number> {
		const place = await this.#call((gate) => gate.waitlistPosition(buyerId));
		if (!place.ok) throw new ApiError(place.reason);
		return place.position;
	}

	/** Takes the buyer off the waitlist. */
	async leaveWaitlist(buyerId: string): Promise<void> {
		const place = await this.#call((gate) => gate.leaveWaitlist(buyerId));
		if (!place.ok) throw new ApiError(place.reason);
	}

	/**
	 * Refuses, as `409 draw_sale`, a purchase or waitlist call on a sale this
	 * isolate knows is a draw; the object refuses it too, so this only spares it the call.
	 */
	refuseIfKnownDraw(now: number): void {
		if (this.known(now)?.mode === "draw") throw new ApiError("draw_sale");
	}

	/** Refuses a draw call on a sale that is not a draw (`409 not_a_draw`), or that does not exist. */
	async requireDraw(now: number): Promise<void> {
		if ((await this.view(now)).mode !== "draw") throw new ApiError("not_a_draw");
	}

	/** Enters the buyer in the draw; `created` is false for a retry, which gets the same entry. */
	async enter(
		buyerId: string,
		quantity: number,
		variantId: string | undefined,
	): Promise<{ entry: Entry; created: boolean }> {
		const result: EntryResult = await this.#call((gate) => gate.enter(buyerId, quantity, variantId));
		if (result.ok) return result;
		if (result.sale) this.#remember(result.sale, Date.now());
		if (result.reason === "invalid_request") throw invalidRequest(result.problem);
		if (result.reason === "not_started" || result.reason === "ended")
			throw saleClosed(result.reason, result.sale);
		throw new ApiError(result.reason);
	}

	/** The buyer's entry in the draw. */
	async entryOf(buyerId: string): Promise<Entry> {
		const answer = await this.#call((gate) => gate.entryOf(buyerId));
		if (!answer.ok) throw new ApiError(answer.reason);
		if (!answer.entry) throw new ApiError("no_entry");
		return answer.entry;
	}

	/** The draw as published. */
	async draw(): Promise<DrawView> {
		const answer = await this.#call((gate) => gate.drawView());
		if (!answer.ok) throw new ApiError(answer.reason);
		return answer.draw;
	}

	/** A page of the frozen entrant list; `425 not_started` before `endsAt`. */
	async entrants(after: string, limit: number): Promise<{ entrants: Entrant[]; nextCursor: string | null }> {
		const page: EntrantsPage = await this.#call((gate) => gate.entrants(after, limit));
		if (page.ok) return { entrants: page.entrants, nextCursor: page.nextCursor };
		if (page.reason === "not_started") {
			throw new ApiError("not_started", { details: { endsAt: page.sale.endsAt } });
		}
		throw new ApiError(page.reason);
	}

	/** Creates the sale or replaces it before it starts; a draw sale gets `beacon`. */
	async configure(input: SaleInput, beacon?: BeaconChoice): Promise<{ sale: Sale; created: boolean }> {
		const result = await this.#call((gate) => gate.configure(this.#saleId, input, beacon));
		if (!result.ok) throw new ApiError("sale_started");
		this.#remember(result.sale, Date.now());
		return result;
	}

	/** The sale with its figures and series, for admins: one call to the object. */
	async overview() {
		const overview = await this.#call((gate) => gate.overview());
		if (!overview) throw new ApiError("sale_not_found");
		return overview;
	}

	/** The sale's figures, or null if it does not exist. */
	stats() {
		return this.#call((gate) => gate.stats());
	}

	/** One bounded run of the object's order book audit; null if the sale does not exist. */
	/**
	 * Makes the order book catch up with the sale's object: one bounded run
	 * of the object's own audit (a single subrequest from here, however large
	 * the sale), which sends again every order D1 lacks or holds at a lower
	 * version; the object's alarm carries on from where it stopped until D1
	 * has everything. Safe to repeat. Answers how many orders went again.
	 */
	async reconcileOrderBook(): Promise<number> {
		const result = await this.#call((gate) => gate.reconcileOrderBook());
		if (!result) throw new ApiError("sale_not_found");
		return result.resent;
	}

	/**
	 * Calls the sale's Durable Object, turning platform failures into
	 * contract answers. An overloaded object is not retried (more calls would
	 * only add to its queue); an error the platform marks retryable is retried
	 * once with jitter. Every call is safe to retry: purchases are keyed by
	 * the buyer.
	 */
	async #call<T>(call: (gate: Gate) => T, buyerId?: string, objectName?: string): Promise<Awaited<T>> {
		const name = objectName ?? (buyerId === undefined ? this.#saleId : await this.#objectOf(buyerId));
		return this.#reach(() => call(this.#env.SALE_GATE.getByName(name)));
	}

	/** Makes one call to a Durable Object, as `#call` describes. */
	async #reach<T>(call: () => T): Promise<Awaited<T>> {
		const outcome = await callObject(call);
		if (outcome.ok) return outcome.value;
		if (outcome.overloaded) throw new ApiError("overloaded", { retryAfterSeconds: 1 });
		console.error(
			JSON.stringify({ event: "sale_gate_error", saleId: this.#saleId, error: String(outcome.error) }),
		);
		throw new ApiError("unavailable", { retryAfterSeconds: 1 });
	}

	/**
	 * The object that serves a buyer: in a sale with shards, the buyer's
	 * shard, with no round trip once this isolate knows the sale (its shards
	 * cannot change once it has started); else the sale's home object.
	 */
	async #objectOf(buyerId: string): Promise<string> {
		const now = Date.now();
		const seen = memory.get(this.#saleId);
		let shards = seen?.sale.shards ?? 1;
		if (!seen || (seen.fetchedAt < seen.sale.startsAt && now - seen.fetchedAt > VIEW_TTL_MS)) {
			const sale = await this.#call((gate) => gate.view());
			// No such sale: its home object answers as the contract says for each call.
			if (!sale) return this.#saleId;
			this.#remember(sale, now);
			shards = sale.shards;
		}
		return shards > 1 ? shardName(this.#saleId, shardOf(this.#saleId, buyerId, shards)) : this.#saleId;
	}

	/**
	 * A shard's final holders, asked for once per isolate. A request never
	 * waits on another request's call: while one asks, the others go on to
	 * the object, which answers them itself.
	 */
	async #holders(seen: SaleMemory, shard: number, now: number): Promise<Set<string> | null> {
		const known = seen.holders?.get(shard);
		if (known !== undefined) return known;
		const askedAt = seen.holdersAskedAt?.get(shard);
		if (askedAt !== undefined && now - askedAt < HOLDERS_ASK_TIMEOUT_MS) return null;
		seen.holdersAskedAt ??= new Map();
		seen.holdersAskedAt.set(shard, now);
		try {
			const objectName = seen.sale.shards > 1 ? shardName(this.#saleId, shard) : this.#saleId;
			const list = await this.#call((gate) => gate.holders(), undefined, objectName);
			const holders = list ? new Set(list) : null;
			// A shard not final yet is asked again by a later purchase once the ask times out.
			if (holders || seen.sale.shards === 1) {
				seen.holders ??= new Map();
				seen.holders.set(shard, holders);
			}
			return holders;
		} catch {
			// Asked again by a later purchase; until then the object answers.
			seen.holdersAskedAt.delete(shard);
			return null;
		}
	}

	#rememberIfConfirmed(order: Order): void {
		if (order.status !== "confirmed") return;
		const key = orderKey(this.#saleId, order.userId);
		if (confirmedOrders.has(key)) return;
		confirmedOrders.set(key, order);
		if (confirmedOrders.size > MAX_CONFIRMED_ORDERS) {
			const oldest = confirmedOrders.keys().next().value;
			if (oldest !== undefined) confirmedOrders.delete(oldest);
		}
	}

	/** Keeps a fresher copy of the sale; what is known of its holders stays. */
	#remember(sale: SaleRecord, now: number): void {
		const seen = memory.get(this.#saleId);
		if (seen) Object.assign(seen, { sale, fetchedAt: now });
		else memory.set(this.#saleId, { sale, fetchedAt: now });
	}

	/**
	 * Remembers the stock a purchase left behind. In a sale without holds
	 * stock only ever goes down, so the lower figure is the fresher one; the
	 * buyer who takes the last unit teaches this isolate that the sale is
	 * sold out. With holds, units come back, so only the object's view counts.
	 */
	#rememberRemaining(remaining: number | null): void {
		const seen = memory.get(this.#saleId);
		if (!seen || remaining === null || seen.sale.holdSeconds > 0 || remaining >= seen.sale.remaining) return;
		// With one variant it holds every unit; with none left, no variant has any.
		const variants =
			seen.sale.variants.length === 1 || remaining === 0
				? seen.sale.variants.map((variant) => ({
						...variant,
						remaining: Math.min(variant.remaining, remaining),
					}))
				: seen.sale.variants;
		seen.sale = { ...seen.sale, remaining, variants };
	}

	/**
	 * Counts a refusal decided here into the sale's figures. Reports are
	 * batched so a flood of forged tokens costs the object one call a second
	 * per isolate, not one per request; only sales this isolate has seen
	 * are counted, so made-up ids never cost an object.
	 */
	#countRefusal(outcome: EdgeOutcome): void {
		const seen = memory.get(this.#saleId);
		if (!seen) return;
		if (!seen.unreported) {
			seen.unreported = Object.fromEntries(EDGE_OUTCOMES.map((outcome) => [outcome, 0])) as Record<
				EdgeOutcome,
				number
			>;
			this.#waitUntil(this.#reportLater(seen));
		}
		seen.unreported[outcome] += 1;
	}

	async #reportLater(seen: SaleMemory): Promise<void> {
		await scheduler.wait(REPORT_INTERVAL_MS);
		const counts = seen.unreported;
		seen.unreported = undefined;
		if (!counts) return;
		await this.#call((gate) => gate.recordEdgeOutcomes(counts)).catch((error: unknown) => {
			console.error(
				JSON.stringify({ event: "outcome_report_failed", saleId: this.#saleId, error: String(error) }),
			);
		});
	}
}

function orderKey(saleId: string, buyerId: string): string {
	return `${saleId}\n${buyerId}`;
}

/**
 * Whether a sale is sold out for good: nothing remains and nothing is held,
 * so no unit can ever come back (confirmed orders never return).
 */
function isFinallySoldOut(sale: SaleRecord): boolean {
	return sale.remaining === 0 && !unitsCanReturn(sale);
}

/** The contract's answer for a purchase the object refused. */
function purchaseRefused(result: Extract<RelayedPurchase, { ok: false }>): ApiError {
	if (result.reason === "sale_not_found" || result.reason === "draw_sale") return new ApiError(result.reason);
	if (result.reason === "overloaded") return new ApiError("overloaded", { retryAfterSeconds: 1 });
	if (result.reason === "unavailable" || result.reason === "wrong_shard") {
		return new ApiError("unavailable", { retryAfterSeconds: 1 });
	}
	if (result.reason === "invalid_request") return invalidRequest(result.problem);
	return saleClosed(result.reason, result.sale);
}

/** The order a call on a held order answered, or its contract error. */
function orderOrRefusal(result: OrderResult): Order {
	if (result.ok) return result.order;
	if (result.reason === "not_held") throw new ApiError("not_held", { details: { order: result.order } });
	throw new ApiError(result.reason);
}

/** The contract's answer for a waitlist entry the object refused. */
function waitlistRefused(result: Extract<WaitlistResult, { ok: false }>): ApiError {
	switch (result.reason) {
		case "invalid_request":
			return invalidRequest(result.problem);
		case "not_started":
		case "ended":
		case "sold_out":
			return saleClosed(result.reason, result.sale);
		default:
			return new ApiError(result.reason);
	}
}

/** The contract's answer for a sale that is not live. */
function saleClosed(
	status: "not_started" | "upcoming" | "ended" | "sold_out",
	sale: SaleRecord | undefined,
): ApiError {
	switch (status) {
		case "not_started":
		case "upcoming":
			return new ApiError("not_started", { details: { startsAt: sale?.startsAt } });
		case "ended":
			return new ApiError("ended");
		case "sold_out":
			// The variants still with units, so a buyer can pick another size.
			return new ApiError("sold_out", {
				details: {
					available: (sale?.variants ?? [])
						.filter((variant) => variant.remaining > 0)
						.map((variant) => variant.id),
				},
			});
	}
}
