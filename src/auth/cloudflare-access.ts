import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { verifyKeySetToken } from "./key-set-token";

/**
 * Who a Cloudflare Access application token names, when ACCESS_TEAM_DOMAIN
 * and ACCESS_AUD are set and the request carries a valid one; else null.
 *
 * Access sends the token as the `Cf-Access-Jwt-Assertion` header on every
 * request it lets through, and browsers also send the `CF_Authorization`
 * cookie; the header is preferred, as the cookie is not guaranteed. Tokens
 * are RS256, signed by keys published at the team's certs URL, issued by
 * the team domain, for the application's AUD tag.
 * https://developers.cloudflare.com/cloudflare-one/identity/users/validating-json/
 */
export async function accessIdentity<E extends { Bindings: Env }>(c: Context<E>): Promise<string | null> {
	const teamDomain = c.env.ACCESS_TEAM_DOMAIN.replace(/^https:\/\//, "").replace(/\/+$/, "");
	const audience = c.env.ACCESS_AUD;
	if (!teamDomain || !audience) return null;
	const token = c.req.header("cf-access-jwt-assertion") ?? getCookie(c, "CF_Authorization");
	if (!token) return null;
	const claims = await verifyKeySetToken(token, {
		jwksUrl: `https://${teamDomain}/cdn-cgi/access/certs`,
		issuer: `https://${teamDomain}`,
		audience,
	});
	if (!claims) return null;
	// A person signs on with an email; a service token has none, and names
	// its client id in `common_name`.
	const name = [claims.email, claims.common_name, claims.sub].find(
		(claim): claim is string => typeof claim === "string" && claim.length > 0,
	);
	return name ?? null;
}
