import { env } from "cloudflare:workers";
import { nowSeconds, PublishedKeys, type SigningKey, signingKey } from "./key-set";

/** The AUD tag of the test's Access application. */
const AUD = "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2";

/** The Worker configured for Cloudflare Access, with its own team (so its own cached certs). */
export async function accessTeam(): Promise<{
	team: string;
	key: SigningKey;
	certs: PublishedKeys;
	bindings: Env;
}> {
	const team = `team-${crypto.randomUUID()}.cloudflareaccess.com`;
	const key = await signingKey("RS256");
	const certs = new PublishedKeys(`https://${team}/cdn-cgi/access/certs`, [key]).serve();
	return { team, key, certs, bindings: { ...env, ACCESS_TEAM_DOMAIN: team, ACCESS_AUD: AUD } };
}

/** An Access application token's claims, as Access signs them for a person. */
export function accessClaims(team: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
	const now = nowSeconds();
	return {
		aud: [AUD],
		email: "ada@shop.test",
		sub: "7335d417-61da-459d-899c-0a01c76a2f94",
		iss: `https://${team}`,
		iat: now,
		nbf: now,
		exp: now + 3_600,
		type: "app",
		identity_nonce: "6ei69kawdKzMIAPF",
		country: "US",
		...overrides,
	};
}
