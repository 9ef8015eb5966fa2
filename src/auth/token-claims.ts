import type { JWTPayload } from "hono/utils/jwt/types";

/**
 * Clocks of the shop's login servers and ours may disagree a little; a token
 * that claims to be issued or valid further in the future than this is refused.
 */
const CLOCK_SKEW_SECONDS = 30;

/**
 * True when a token says when it expires and was not issued, nor made valid,
 * in the future beyond the clock skew allowed. hono checks `exp` (strictly)
 * but checks `iat` and `nbf` with no tolerance at all, so verification turns
 * those off and this checks them instead.
 */
export function isTimely(claims: JWTPayload): boolean {
	const latest = Date.now() / 1000 + CLOCK_SKEW_SECONDS;
	return (
		typeof claims.exp === "number" &&
		[claims.iat, claims.nbf].every(
			(claim) => claim === undefined || (typeof claim === "number" && claim <= latest),
		)
	);
}

/** The buyer a session token names: its `sub`, 1..128 characters, or null. */
export function buyerOf(claims: JWTPayload): string | null {
	const { sub } = claims;
	return typeof sub === "string" && sub.length >= 1 && sub.length <= 128 ? sub : null;
}
