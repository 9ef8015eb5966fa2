/** Moved to src/sale-object/; kept so the edge compiles until it imports from there. */
export type {
	ConfigureResult,
	EdgeOutcome,
	GateStats,
	Outcome,
	PurchaseResult,
	SaleOverview,
	SalesSeries,
} from "./sale-object";
export { SaleGate } from "./sale-object";
