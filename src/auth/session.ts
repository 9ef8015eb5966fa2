import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { sign, verify } from "hono/jwt";
import { ApiError } from "../http-error";
import { hmacKey } from "./hmac-key";

export const SESSION_COOKIE = "session";

export type BuyerVariables = { buyerId: string };

/**
 * Reads the buyer from a session JWT (shared/API.md "Identity"), from the
 * Authorization header or else the `session` cookie. Only HS256 is accepted,
 * and a token must say when it expires.
 */
export const requireBuyer = createMiddleware<{ Bindings: Env; Variables: BuyerVariables }>(
	async (c, next) => {
		const token = bearerToken(c.req.header("authorization")) ?? getCookie(c, SESSION_COOKIE);
		c.set("buyerId", await verifySession(token, c.env.SESSION_SECRET));
		await next();
	},
);

/**
 * Clocks of the shop's login servers and ours may disagree a little; a token
 * that claims to be issued or valid further in the future than this is refused.
 */
const CLOCK_SKEW_SECONDS = 30;

async function verifySession(token: string | undefined, secret: string): Promise<string> {
	if (!token) throw new ApiError("unauthenticated");
	try {
		// hono checks iat and nbf with no tolerance at all, so they are checked below.
		const claims = await verify(token, await hmacKey(secret), { alg: "HS256", iat: false, nbf: false });
		const { sub, exp, iat, nbf } = claims;
		const latest = Date.now() / 1000 + CLOCK_SKEW_SECONDS;
		const notFromTheFuture = [iat, nbf].every(
			(claim) => claim === undefined || (typeof claim === "number" && claim <= latest),
		);
		if (
			typeof exp === "number" &&
			notFromTheFuture &&
			typeof sub === "string" &&
			sub.length >= 1 &&
			sub.length <= 128
		) {
			return sub;
		}
	} catch {
		// Malformed, forged, expired or another algorithm: all the same to the caller.
	}
	throw new ApiError("unauthenticated");
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
