import { decodeBase64Url, encodeBase64Url } from "hono/utils/encode";
import { hmacKey } from "./hmac-key";

/**
 * Purchase tokens are `payload.signature`, both base64url, where the payload
 * is `saleId|expiresAt|buyerId`. The sale id is a slug and the expiry a
 * number, so neither contains `|`; the buyer id, which may, comes last.
 * The key is derived from SESSION_SECRET under its own label so a purchase
 * token can never pass as anything else.
 */
function purchaseKey(secret: string): Promise<CryptoKey> {
	return hmacKey(`doorbuster/purchase-token/v1/${secret}`);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export async function issuePurchaseToken(
	secret: string,
	saleId: string,
	buyerId: string,
	expiresAt: number,
): Promise<string> {
	const payload = encoder.encode(`${saleId}|${expiresAt}|${buyerId}`);
	const signature = await crypto.subtle.sign("HMAC", await purchaseKey(secret), payload);
	return `${encodeBase64Url(payload.buffer)}.${encodeBase64Url(signature)}`;
}

/** True only for an unexpired token this server signed for this sale and buyer. */
export async function isValidPurchaseToken(
	secret: string,
	token: string,
	saleId: string,
	buyerId: string,
	now: number,
): Promise<boolean> {
	const [payloadPart, signaturePart, extra] = token.split(".");
	if (!payloadPart || !signaturePart || extra !== undefined) return false;
	let payload: Uint8Array;
	let signature: Uint8Array;
	try {
		payload = decodeBase64Url(payloadPart);
		signature = decodeBase64Url(signaturePart);
	} catch {
		return false;
	}
	// Web Crypto's verify compares in constant time.
	const authentic = await crypto.subtle.verify("HMAC", await purchaseKey(secret), signature, payload);
	if (!authentic) return false;
	const text = decoder.decode(payload);
	const [tokenSaleId, expiresAt] = text.split("|", 2);
	const tokenBuyerId = text.slice(`${tokenSaleId}|${expiresAt}|`.length);
	return tokenSaleId === saleId && tokenBuyerId === buyerId && Number(expiresAt) > now;
}
