import type { Order } from "../domain/order";
import type { Outcome } from "../domain/outcome";
import type { Sale, SaleRecord, SaleRow } from "../domain/sale";
import type { PaymentApplied } from "./payments";
import type { RefundFigures } from "./refunds";
import type { VariantStock } from "./stock";

export type { EdgeOutcome, Outcome } from "../domain/outcome";

/** A request the sale refuses as `400 invalid_request`; `problem` names the field, e.g. `variantId: …`. */
export interface InvalidRequest {
	ok: false;
	reason: "invalid_request";
	problem: string;
	sale?: SaleRecord;
}

/** What a buyer's request, a purchase or a draw entry, reads of the sale from the object around it. */
export interface SaleLookups {
	/** The variant the request names, or the `400` it gets. */
	variantFor(sale: SaleRow, quantity: number, variantId: string | undefined): VariantStock | InvalidRequest;
	/** The sale as the contract shows it, for a refusal to carry. */
	record(sale: SaleRow): SaleRecord;
}

/** One buyer's purchase as a relay passes it on (`SaleGate.purchaseEach`). */
export interface PurchaseRequest {
	userId: string;
	quantity: number;
	attemptId?: string;
	variantId?: string;
}

/** What `SaleGate.purchase` answers. Expected refusals are data; only broken infrastructure throws. */
export type PurchaseResult =
	/** `remaining`: the sale's units left as a whole; null on a shard that has not heard it from the coordinator. */
	| { ok: true; order: Order; created: boolean; remaining: number | null }
	| { ok: false; reason: "sale_not_found" | "not_started" | "ended" | "sold_out"; sale?: SaleRecord }
	| { ok: false; reason: "draw_sale" }
	/** A shard could not tell whether units are left: one that may have some did not answer. */
	| { ok: false; reason: "unavailable" }
	/** The buyer is served by another object of this sale, which has `shards` of them. */
	| { ok: false; reason: "wrong_shard"; shards: number }
	| InvalidRequest;

/** What the calls on a buyer's held order answer: the order as it is now, or why not. */
export type OrderResult =
	| { ok: true; order: Order }
	| { ok: false; reason: "sale_not_found" | "no_order" }
	/** The order is confirmed, expired or cancelled; shown as it is. */
	| { ok: false; reason: "not_held"; order: Order };

/** What `SaleGate.applyPayment` answers: what the payment did, or that there is no such sale. */
export type PaymentResult = { ok: true; applied: PaymentApplied } | { ok: false; reason: "sale_not_found" };

/** What `SaleGate.joinWaitlist` answers. */
export type WaitlistResult =
	| { ok: true; position: number; created: boolean }
	| {
			ok: false;
			reason:
				| "sale_not_found"
				| "draw_sale"
				| "not_started"
				| "ended"
				| "sold_out"
				| "not_sold_out"
				| "has_order";
			sale?: SaleRecord;
	  }
	| InvalidRequest;

/** What `SaleGate.configure` answers: a started sale can no longer be edited. */
export type ConfigureResult =
	| { ok: true; sale: Sale; created: boolean }
	| { ok: false; reason: "sale_started" };

/** A sale's live figures; a sale with sizes or holds adds `HoldStats`. */
export interface GateStats extends Partial<HoldStats> {
	/** Units taken: held + confirmed. */
	sold: number;
	remaining: number;
	/** Buyers who ever had an order. */
	buyers: number;
	outcomes: Record<Outcome, number>;
	/** A sale with more than one shard: each shard's units left to sell, taken and held (shared/API.md "Admin additions"). */
	shards?: { remaining: number; sold: number; held: number }[];
	/** A sale with more than one shard: the calls from its shards its coordinator has served. */
	coordinatorRequests?: number;
}

/** The v2 figures (shared/API.md "Admin additions"). */
export interface HoldStats extends RefundFigures {
	/** Units of held orders. */
	held: number;
	/** Units of confirmed orders. */
	confirmed: number;
	/** Orders that expired unpaid. */
	expired: number;
	/** Orders their buyers cancelled. */
	cancelled: number;
	/** Buyers waiting. */
	waitlist: number;
	/** Paid: in a sale with holds every confirmed unit was paid for; without, nothing is paid here. */
	revenueCents: number;
	variants: { id: string; sold: number; confirmed: number; held: number; remaining: number }[];
}

/** Confirmed orders per bucket of `bucketMs`, from `startsAt` up to now or the end. */
export interface SalesSeries {
	startsAt: number;
	bucketMs: number;
	confirmed: number[];
	/** A draw sale only: entries per bucket, over the same buckets as `confirmed`. */
	entered?: number[];
}

/** Everything the admin view of one sale shows, in one call. */
export interface SaleOverview {
	sale: Sale;
	stats: GateStats;
	series: SalesSeries;
}

/** A buyer's place on the waitlist (1 = next), or why they have none. */
export type WaitingResult =
	| { ok: true; position: number }
	| { ok: false; reason: "sale_not_found" | "not_waiting" };
