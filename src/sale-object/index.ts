/** The sale's Durable Object and everything its RPC methods answer: what the edge imports. */

export type { BeaconChoice, DrawRefusal, DrawView, EntrantsPage, Entry, EntryResult } from "./draw-results";
export type {
	ConfigureResult,
	EdgeOutcome,
	GateStats,
	InvalidRequest,
	OrderResult,
	Outcome,
	PaymentResult,
	PurchaseRequest,
	PurchaseResult,
	SaleOverview,
	SalesSeries,
	WaitingResult,
	WaitlistResult,
} from "./results";
export { SaleGate } from "./sale-gate";
