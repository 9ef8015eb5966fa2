import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { ApiError } from "./http-error";

/** The `period` of each limiter in wrangler.toml, sent back as Retry-After. */
const PERIOD_SECONDS = {
	SESSION_RATE_LIMITER: 60,
	TOKEN_RATE_LIMITER: 60,
	PURCHASE_RATE_LIMITER: 10,
} as const;

/**
 * Rate limits through the Workers rate-limiting binding; the limits
 * themselves are configuration in wrangler.toml. The binding's counters are
 * per Cloudflare location and eventually consistent: a brake on floods, not
 * an exact quota.
 */
export function rateLimit<E extends { Bindings: Env }>(
	limiter: keyof typeof PERIOD_SECONDS,
	keyOf: (c: Context<E>) => string,
) {
	return createMiddleware<E>(async (c, next) => {
		const { success } = await c.env[limiter].limit({ key: keyOf(c) });
		if (!success) {
			throw new ApiError("rate_limited", "Too many requests. Slow down and try again shortly.", {
				retryAfterSeconds: PERIOD_SECONDS[limiter],
			});
		}
		await next();
	});
}

/** The client's address as Cloudflare's edge reports it. */
export function clientIp(c: Context): string {
	return c.req.header("cf-connecting-ip") ?? "unknown";
}
