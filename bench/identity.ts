import { createHmac, randomBytes } from "node:crypto";

const HEADER = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");

/**
 * A session token as a shop's own login mints it (API.md "Identity"): a JWT
 * signed HS256 with SESSION_SECRET, claims `sub` and `exp`.
 */
export function sessionToken(buyerId: string, secret: string, lifetimeSeconds = 3_600): string {
	const claims = { sub: buyerId, exp: Math.floor(Date.now() / 1000) + lifetimeSeconds };
	const unsigned = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
	return `${unsigned}.${createHmac("sha256", secret).update(unsigned).digest("base64url")}`;
}

/**
 * What a bot that read the page source would send: a purchase token shaped
 * like a real one, for the right sale and buyer, with a signature it made up.
 */
export function forgedPurchaseToken(saleId: string, buyerId: string): string {
	const payload = Buffer.from(`${saleId}|${Date.now() + 60_000}|${buyerId}`).toString("base64url");
	return `${payload}.${randomBytes(32).toString("base64url")}`;
}

/** A distinct client address per buyer, so per-address rate limits see a crowd, not one client. */
export function clientAddress(block: number, index: number): string {
	return `${block}.${(index >>> 16) & 255}.${(index >>> 8) & 255}.${index & 255}`;
}
