import { decode, verifyWithJwks } from "hono/jwt";
import type { JWTPayload } from "hono/utils/jwt/types";
import { ApiError } from "../http-error";
import { KeySetUnavailable, keysFor, type PublicJwk } from "./key-set-cache";
import { isTimely } from "./token-claims";

/** Where a token's keys are published, and who must have issued it for whom. */
export interface KeySetIssuer {
	jwksUrl: string;
	issuer: string;
	audience: string;
}

/**
 * The only algorithms a published key may sign with. Symmetric ones never:
 * a public key is no secret, so an HMAC keyed with it proves nothing.
 */
const ALGORITHMS = ["RS256", "ES256"] as const;

/**
 * The claims of a token signed by a key `issuer` publishes, or null for
 * any token that is malformed, forged, expired, from another issuer, for
 * another audience, or signed with a key the set does not list.
 *
 * The set is fetched through a per-isolate cache (key-set-cache.ts): hono's
 * `jwk` middleware fetches `jwks_uri` on every request and answers an outage
 * as a 401, so its verifier is given the cached keys instead. When the set
 * cannot be fetched, throws `503 session_keys_unavailable`: the token may be
 * good, and a buyer told "sign in again" would only fail again.
 */
export async function verifyKeySetToken(token: string, issuer: KeySetIssuer): Promise<JWTPayload | null> {
	const kid = keyIdOf(token);
	if (kid === null) return null;
	let keys: PublicJwk[];
	try {
		keys = await keysFor(issuer.jwksUrl, kid);
	} catch (error) {
		if (!(error instanceof KeySetUnavailable)) throw error;
		throw new ApiError("session_keys_unavailable", { retryAfterSeconds: error.retryAfterSeconds });
	}
	try {
		const claims = await verifyWithJwks(token, {
			keys,
			allowedAlgorithms: ALGORITHMS,
			verification: { iss: issuer.issuer, aud: issuer.audience, iat: false, nbf: false },
		});
		return isTimely(claims) ? claims : null;
	} catch {
		// Every refusal looks the same to the caller.
		return null;
	}
}

/**
 * The `kid` of a token that asks for one of ALGORITHMS, else null: only such
 * a token may cause a fetch of the key set.
 */
function keyIdOf(token: string): string | null {
	try {
		const { header } = decode(token);
		const allowed: readonly string[] = ALGORITHMS;
		return allowed.includes(header.alg) && typeof header.kid === "string" ? header.kid : null;
	} catch {
		return null;
	}
}
