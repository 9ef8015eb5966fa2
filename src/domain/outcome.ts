/**
 * Purchase outcomes counted for a sale's live figures, besides "confirmed",
 * which is the number of buyers. The edge reports the ones it decides on its
 * own (EDGE_OUTCOMES) to the sale's object, so every figure of a sale is
 * counted in one place.
 */
export const COUNTED_OUTCOMES = [
	"duplicate",
	"sold_out",
	"not_started",
	"ended",
	"invalid_token",
	"overloaded",
] as const;
export type CountedOutcome = (typeof COUNTED_OUTCOMES)[number];

/** Outcomes an edge isolate may decide without the sale's object and report to it. */
export const EDGE_OUTCOMES = [
	"invalid_token",
	"overloaded",
	"sold_out",
] as const satisfies readonly CountedOutcome[];
export type EdgeOutcome = (typeof EDGE_OUTCOMES)[number];

/** Every outcome a sale's figures show. */
export type Outcome = "confirmed" | CountedOutcome;
