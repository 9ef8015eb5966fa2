import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { ApiError } from "./http-error";
import { callGate } from "./sale-directory";
import type { EdgeOutcome } from "./sale-gate";

/** An isolate reports its edge-decided outcomes to a sale at most this often. */
const REPORT_INTERVAL_MS = 1_000;

/** Outcomes this isolate decided without the sale's object, not yet reported to it. */
const unreported = new Map<string, Record<EdgeOutcome, number>>();

/**
 * Wraps the purchase route: one structured log line per decision (never a
 * token), and the refusals made here at the edge counted into the sale's
 * figures. Reports are batched so a flood of forged tokens costs the sale's
 * object one call a second per isolate, not one per request.
 */
export const recordPurchaseDecision = createMiddleware<{ Bindings: Env }>(async (c, next) => {
	const started = performance.now();
	await next();
	const saleId = c.req.param("saleId") ?? "";
	const outcome = outcomeOf(c);
	console.log(
		JSON.stringify({
			event: "purchase",
			saleId,
			outcome,
			status: c.res.status,
			latencyMs: Math.round((performance.now() - started) * 10) / 10,
		}),
	);
	if (outcome === "invalid_token" || outcome === "overloaded") countAtEdge(c, saleId, outcome);
});

function outcomeOf(c: Context): string {
	if (c.error instanceof ApiError) return c.error.code;
	if (c.error) return "error";
	return c.res.status === 201 ? "confirmed" : "duplicate";
}

/** Counts a refusal decided here, without the sale's object, into the sale's figures. */
export function countAtEdge<E extends { Bindings: Env }>(
	c: Context<E>,
	saleId: string,
	outcome: EdgeOutcome,
): void {
	let counts = unreported.get(saleId);
	if (!counts) {
		counts = { invalid_token: 0, overloaded: 0, sold_out: 0 };
		unreported.set(saleId, counts);
		c.executionCtx.waitUntil(sendLater(c.env, saleId));
	}
	counts[outcome] += 1;
}

async function sendLater(env: Env, saleId: string): Promise<void> {
	await scheduler.wait(REPORT_INTERVAL_MS);
	const counts = unreported.get(saleId);
	unreported.delete(saleId);
	if (!counts) return;
	await callGate(env, saleId, (gate) => gate.recordEdgeOutcomes(counts)).catch((error: unknown) => {
		console.error(JSON.stringify({ event: "outcome_report_failed", saleId, error: String(error) }));
	});
}
