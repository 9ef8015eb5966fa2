import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { decode, sign, verify } from "hono/jwt";
import type { JWTPayload } from "hono/utils/jwt/types";
import { ApiError } from "../http-error";
import { hmacKey } from "./hmac-key";
import { type KeySetIssuer, verifyKeySetToken } from "./key-set-token";
import { buyerOf, isTimely } from "./token-claims";

export const SESSION_COOKIE = "session";

export type BuyerVariables = { buyerId: string };

/**
 * Reads the buyer from a session JWT (shared/API.md "Identity"), from the
 * Authorization header or else the `session` cookie. A token is either
 * HS256 with SESSION_SECRET (the guest sign-in's and shops that mint tokens
 * themselves) or, when SESSION_JWKS_URL is set, RS256/ES256 from the shop's
 * identity provider. Either way it must say when it expires.
 */
export const requireBuyer = createMiddleware<{ Bindings: Env; Variables: BuyerVariables }>(
	async (c, next) => {
		const token = bearerToken(c.req.header("authorization")) ?? getCookie(c, SESSION_COOKIE);
		const claims = token ? await verifySession(token, c.env) : null;
		const buyerId = claims && buyerOf(claims);
		if (!buyerId) throw new ApiError("unauthenticated");
		c.set("buyerId", buyerId);
		await next();
	},
);

/**
 * The token's claims, or null for anything not valid. Which check applies
 * is chosen by the header's `alg`, and each check then insists on that very
 * algorithm, so a token cannot pick the key it is checked with: an HS256
 * token is only ever checked with SESSION_SECRET, never with a public key.
 */
async function verifySession(token: string, env: Env): Promise<JWTPayload | null> {
	// Only HS256 tokens are ever remembered, so a known token needs no header decoded.
	const known = verifiedSessions.get(token);
	if (known) {
		if (typeof known.exp === "number" && known.exp * 1000 > Date.now()) return known;
		verifiedSessions.delete(token);
	}
	if (headerAlg(token) !== "HS256") {
		const issuer = sessionIssuer(env);
		return issuer ? await verifyKeySetToken(token, issuer) : null;
	}
	try {
		// hono checks iat and nbf with no tolerance at all; isTimely checks them.
		const claims = await verify(token, await hmacKey(env.SESSION_SECRET), {
			alg: "HS256",
			iat: false,
			nbf: false,
		});
		if (!isTimely(claims)) return null;
		remember(token, claims);
		return claims;
	} catch {
		// Malformed, forged or expired: all the same to the caller.
		return null;
	}
}

/**
 * HS256 sessions this isolate has verified, until they expire. In a drop a
 * buyer presents the same session for the purchase token, the purchase and
 * every retry; its signature cannot change, so it is checked once. Only
 * HS256: a provider's token must keep failing once its key is withdrawn.
 * Bounded, oldest first out, so a flood of valid sessions cannot grow it.
 */
const verifiedSessions = new Map<string, JWTPayload>();
const MAX_VERIFIED_SESSIONS = 10_000;

function remember(token: string, claims: JWTPayload): void {
	if (verifiedSessions.size >= MAX_VERIFIED_SESSIONS) {
		const oldest = verifiedSessions.keys().next();
		if (!oldest.done) verifiedSessions.delete(oldest.value);
	}
	verifiedSessions.set(token, claims);
}

/** The shop's identity provider, if one is configured. */
function sessionIssuer(env: Env): KeySetIssuer | null {
	if (!env.SESSION_JWKS_URL) return null;
	if (!env.SESSION_ISSUER || !env.SESSION_AUDIENCE) {
		// A key set without both checks would accept any token its provider
		// signs for any application: refuse to run half-configured.
		throw new Error("SESSION_JWKS_URL is set: SESSION_ISSUER and SESSION_AUDIENCE must be set too");
	}
	return { jwksUrl: env.SESSION_JWKS_URL, issuer: env.SESSION_ISSUER, audience: env.SESSION_AUDIENCE };
}

function headerAlg(token: string): unknown {
	try {
		return decode(token).header.alg;
	} catch {
		return undefined;
	}
}

function bearerToken(header: string | undefined): string | undefined {
	const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
	return match?.[1];
}

/** Mints a guest session and sets it as an HttpOnly cookie. */
export async function startGuestSession(
	c: Context<{ Bindings: Env }>,
): Promise<{ userId: string; expiresAt: number }> {
	const userId = `guest-${crypto.randomUUID()}`;
	const ttlSeconds = Number(c.env.SESSION_TTL_SECONDS);
	const nowSeconds = Math.floor(Date.now() / 1000);
	const exp = nowSeconds + ttlSeconds;
	const token = await sign(
		{ sub: userId, iat: nowSeconds, exp },
		await hmacKey(c.env.SESSION_SECRET),
		"HS256",
	);
	setCookie(c, SESSION_COOKIE, token, {
		httpOnly: true,
		secure: true,
		sameSite: "Lax",
		path: "/",
		maxAge: ttlSeconds,
	});
	return { userId, expiresAt: exp * 1000 };
}
