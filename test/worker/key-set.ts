import { vi } from "vitest";

/**
 * What a shop's identity provider (or Cloudflare Access) holds: key pairs
 * made with Web Crypto in the test, a JWKS published at a URL, and tokens
 * signed as such a provider signs them. The JWKS is served by a stub of
 * `globalThis.fetch`, the only thing stubbed; any other URL reaches the
 * real fetch.
 */

export type AsymmetricAlg = "RS256" | "ES256";

export interface SigningKey {
	kid: string;
	alg: AsymmetricAlg;
	privateKey: CryptoKey;
	/** The public half as a JWKS lists it. */
	publicJwk: JsonWebKey & { kid: string; alg: AsymmetricAlg; use: "sig" };
}

const PARAMS = {
	RS256: {
		name: "RSASSA-PKCS1-v1_5",
		modulusLength: 2048,
		publicExponent: new Uint8Array([1, 0, 1]),
		hash: "SHA-256",
	},
	ES256: { name: "ECDSA", namedCurve: "P-256" },
} as const;

const SIGN_PARAMS = {
	RS256: { name: "RSASSA-PKCS1-v1_5" },
	ES256: { name: "ECDSA", hash: "SHA-256" },
} as const;

export async function signingKey(alg: AsymmetricAlg, kid = crypto.randomUUID()): Promise<SigningKey> {
	const pair = (await crypto.subtle.generateKey(PARAMS[alg], true, ["sign", "verify"])) as CryptoKeyPair;
	const exported = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
	return { kid, alg, privateKey: pair.privateKey, publicJwk: { ...exported, kid, alg, use: "sig" } };
}

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array | ArrayBuffer): string {
	const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
	return btoa(String.fromCharCode(...view))
		.replace(/\+/g, "-")
		.replace(/\//g, "_")
		.replace(/=+$/, "");
}

function encodePart(part: object): string {
	return base64url(encoder.encode(JSON.stringify(part)));
}

/** Seconds since the epoch, as JWT claims count. */
export function nowSeconds(): number {
	return Math.floor(Date.now() / 1000);
}

/** A JWT signed with `key`; Web Crypto's ECDSA signature is already JWS's r||s form. */
export async function mint(key: SigningKey, claims: Record<string, unknown>): Promise<string> {
	const input = `${encodePart({ alg: key.alg, typ: "JWT", kid: key.kid })}.${encodePart(claims)}`;
	const signature = await crypto.subtle.sign(SIGN_PARAMS[key.alg], key.privateKey, encoder.encode(input));
	return `${input}.${base64url(signature)}`;
}

/** An HS256 JWT whose HMAC key is `secret`'s bytes: what an `alg` confusion attack sends. */
export async function mintHs256(
	secret: string,
	header: Record<string, unknown>,
	claims: Record<string, unknown>,
): Promise<string> {
	const key = await crypto.subtle.importKey(
		"raw",
		encoder.encode(secret),
		{ name: "HMAC", hash: "SHA-256" },
		false,
		["sign"],
	);
	const input = `${encodePart({ ...header, alg: "HS256", typ: "JWT" })}.${encodePart(claims)}`;
	return `${input}.${base64url(await crypto.subtle.sign("HMAC", key, encoder.encode(input)))}`;
}

/** An unsigned JWT (`alg: none`). */
export function mintUnsigned(header: Record<string, unknown>, claims: Record<string, unknown>): string {
	return `${encodePart({ ...header, alg: "none", typ: "JWT" })}.${encodePart(claims)}.`;
}

/** A JWKS endpoint: what it lists, whether it answers, and how often it was asked. */
export class PublishedKeys {
	keys: SigningKey[];
	/** What the endpoint does instead of answering, when it is down. */
	outage: (() => Promise<Response>) | null = null;
	fetches = 0;

	constructor(
		readonly url: string,
		keys: SigningKey[],
	) {
		this.keys = keys;
	}

	/** Serves this key set at its URL through a stub of `globalThis.fetch`. */
	serve(): this {
		const realFetch = globalThis.fetch;
		vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
			const url = input instanceof Request ? input.url : String(input);
			if (url !== this.url) return realFetch(input, init);
			this.fetches += 1;
			if (this.outage) return this.outage();
			return Promise.resolve(Response.json({ keys: this.keys.map((key) => key.publicJwk) }));
		});
		return this;
	}
}
