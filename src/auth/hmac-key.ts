const keys = new Map<string, Promise<CryptoKey>>();

/**
 * An HMAC-SHA256 key for `secret`, imported once per isolate: importKey on
 * every request would cost more than the signature check itself.
 */
export function hmacKey(secret: string): Promise<CryptoKey> {
	let key = keys.get(secret);
	if (!key) {
		key = crypto.subtle.importKey(
			"raw",
			new TextEncoder().encode(secret),
			{ name: "HMAC", hash: "SHA-256" },
			false,
			["sign", "verify"],
		);
		keys.set(secret, key);
	}
	return key;
}
