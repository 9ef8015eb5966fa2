import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { parse } from "jsonc-parser";
import wranglerConfig from "../wrangler.jsonc";
import { ApiError } from "./http-error";

type Limiter = "SESSION_RATE_LIMITER" | "TOKEN_RATE_LIMITER" | "PURCHASE_RATE_LIMITER" | "POLL_RATE_LIMITER";

/**
 * The `period` of each limiter, sent back as Retry-After, read from the
 * wrangler.jsonc that configures the bindings, so the two cannot disagree.
 * Environments restate the limiters with the same periods (a test keeps
 * them so), so the top level speaks for every deployment.
 */
const PERIOD_SECONDS = periodsOf(parse(wranglerConfig));

function periodsOf(config: { ratelimits?: unknown }): Record<string, number> {
	const limiters = config.ratelimits as { name: string; simple: { period: number } }[];
	return Object.fromEntries(limiters.map((limiter) => [limiter.name, limiter.simple.period]));
}

/**
 * Rate limits through the Workers rate-limiting binding; the limits
 * themselves are configuration in wrangler.jsonc. The binding's counters are
 * per Cloudflare location and eventually consistent: a brake on floods, not
 * an exact quota.
 */
export async function enforceRateLimit(env: Env, limiter: Limiter, key: string): Promise<void> {
	const { success } = await env[limiter].limit({ key });
	if (!success) {
		throw new ApiError("rate_limited", {
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
