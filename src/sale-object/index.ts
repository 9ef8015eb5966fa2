/** The sale's Durable Object and everything its RPC methods answer: what the edge imports. */

export type {
	ConfigureResult,
	EdgeOutcome,
	GateStats,
	Outcome,
	PurchaseResult,
	SaleOverview,
	SalesSeries,
} from "./results";
export { SaleGate } from "./sale-gate";
