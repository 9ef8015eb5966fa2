import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { ApiError } from "./http-error";

/** The `period` of each limiter in wrangler.toml, sent back as Retry-After. */
const PERIOD_SECONDS = {
	SESSION_RATE_LIMITER: 60,
	TOKEN_RATE_LIMITER: 60,
	PURCHASE_RATE_LIMITER: 10,
} as const;

type Limiter = keyof typeof PERIOD_SECONDS;

/**
 * Rate limits through the Workers rate-limiting binding; the limits
 * themselves are configuration in wrangler.toml. The binding's counters are
 * per Cloudflare location and eventually consistent: a brake on floods, not
 * an exact quota.
 */
export async function enforceRateLimit(env: Env, limiter: Limiter, key: string): Promise<void> {
	const { success } = await env[limiter].limit({ key });
	if (!success) {
		throw new ApiError("rate_limited", "Too many requests. Slow down and try again shortly.", {
			retryAfterSeconds: PERIOD_SECONDS[limiter],
		});
	}
}

/** `enforceRateLimit` as middleware, keyed by what `keyOf` reads from the request. */
export function rateLimit<E extends { Bindings: Env }>(limiter: Limiter, keyOf: (c: Context<E>) => string) {
	return createMiddleware<E>(async (c, next) => {
		await enforceRateLimit(c.env, limiter, keyOf(c));
		await next();
	});
}

/** The client's address as Cloudflare's edge reports it. */
export function clientIp(c: Context): string {
	return c.req.header("cf-connecting-ip") ?? "unknown";
}
