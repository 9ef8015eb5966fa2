import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes, isLowerHex } from "./hex.ts";

/** The offline beacon's secret: 32 random bytes. */
const SECRET_BYTES = 32;

/** A `local` beacon as the object keeps it: the secret stays private until the draw. */
export interface LocalBeacon {
	secret: string;
	/** `hex(SHA-256(secret))`, shown in the draw view from creation. */
	commitment: string;
}

/** What a `local` draw reveals: round 0, the secret as `signature`, and `randomness = commitment`. */
export interface LocalReveal {
	round: 0;
	signature: string;
	randomness: string;
}

/**
 * Draws a fresh `local` beacon (shared/API.md "Draws"). The operator knows
 * the secret before the list is frozen, so this beacon is for development
 * and demos only; the verifier refuses it unless told `--allow-local`.
 */
export function createLocalBeacon(): LocalBeacon {
	const secret = crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
	return { secret: bytesToHex(secret), commitment: bytesToHex(sha256(secret)) };
}

/** The values a `local` draw publishes when it reveals `beacon`'s secret. */
export function revealLocalBeacon(beacon: LocalBeacon): LocalReveal {
	return { round: 0, signature: beacon.secret, randomness: beacon.commitment };
}

/**
 * Whether a revealed `signature` is the secret behind `commitment`, and the
 * published `randomness` is that commitment.
 */
export function verifyLocalReveal(
	commitment: string,
	reveal: { round: number; signature: string; randomness: string },
): { ok: true } | { ok: false; detail: string } {
	if (!isLowerHex(commitment, SECRET_BYTES))
		return { ok: false, detail: "commitment is not 64 lowercase hex digits" };
	if (!isLowerHex(reveal.signature, SECRET_BYTES)) {
		return { ok: false, detail: "signature is not 64 lowercase hex digits" };
	}
	if (reveal.round !== 0) return { ok: false, detail: "a local draw's round is 0" };
	if (bytesToHex(sha256(hexToBytes(reveal.signature, SECRET_BYTES))) !== commitment) {
		return { ok: false, detail: "the revealed secret does not hash to the commitment" };
	}
	if (reveal.randomness !== commitment) return { ok: false, detail: "randomness is not the commitment" };
	return { ok: true };
}
