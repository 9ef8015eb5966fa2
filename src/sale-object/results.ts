import type { Order } from "../domain/order";
import type { Outcome } from "../domain/outcome";
import type { Sale, SaleRecord } from "../domain/sale";

export type { EdgeOutcome, Outcome } from "../domain/outcome";

/** What `SaleGate.purchase` answers. Expected refusals are data; only broken infrastructure throws. */
export type PurchaseResult =
	| { ok: true; order: Order; created: boolean; remaining: number }
	| {
			ok: false;
			reason: "sale_not_found" | "not_started" | "ended" | "sold_out" | "invalid_quantity";
			sale?: SaleRecord;
	  };

/** What `SaleGate.configure` answers: a started sale can no longer be edited. */
export type ConfigureResult =
	| { ok: true; sale: Sale; created: boolean }
	| { ok: false; reason: "sale_started" };

/** A sale's live figures. */
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

/** Everything the admin view of one sale shows, in one call. */
export interface SaleOverview {
	sale: Sale;
	stats: GateStats;
	series: SalesSeries;
}
