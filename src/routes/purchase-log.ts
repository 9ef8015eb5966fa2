import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { ApiError } from "../http-error";

/** Wraps the purchase route: one structured log line per decision, never a token. */
export const logPurchaseDecision = createMiddleware(async (c, next) => {
	const started = performance.now();
	await next();
	console.log(
		JSON.stringify({
			event: "purchase",
			saleId: c.req.param("saleId") ?? "",
			outcome: outcomeOf(c),
			status: c.res.status,
			latencyMs: Math.round((performance.now() - started) * 10) / 10,
		}),
	);
});

function outcomeOf(c: Context): string {
	if (c.error instanceof ApiError) return c.error.code;
	if (c.error) return "error";
	return c.res.status === 201 ? "confirmed" : "duplicate";
}
