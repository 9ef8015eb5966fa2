import { bls12_381 } from "@noble/curves/bls12-381.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes, isLowerHex } from "./hex.ts";

/**
 * The League of Entropy's quicknet chain, pinned here and never read from a
 * relay: a relay that could hand us the key could hand us any randomness.
 * Source: the chain's `/info`, as published in drand/drand-client
 * `lib/defaults.ts` (QUICKNET_CHAIN_INFO) and drand/website
 * `docs/blog/2023-10-16-quicknet-is-live.md`.
 */
export const QUICKNET = {
	chainHash: "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
	publicKey:
		"83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a",
	schemeId: "bls-unchained-g1-rfc9380",
	genesisTime: 1692803367,
	periodSeconds: 3,
} as const;

/**
 * bls-unchained-g1-rfc9380: signatures on G1 (48 bytes), the group key on
 * G2 (96 bytes), rounds hashed to G1 with RFC 9380's G1 suite.
 */
const SIGNATURE_DST = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_";
const SIGNATURE_BYTES = 48;
const RANDOMNESS_BYTES = 32;
/** Seconds after `endsAt` before the round: the list is frozen and published well before it exists. */
const ROUND_DELAY_SECONDS = 30;

let publicKey: Uint8Array | undefined;

declare const verified: unique symbol;
/** A quicknet round whose signature verified against {@link QUICKNET}'s key; only this module makes them. */
export interface VerifiedRound {
	readonly round: number;
	readonly randomness: string;
	readonly signature: string;
	readonly [verified]: true;
}

export type RoundCheck =
	| { ok: true; beacon: VerifiedRound }
	| { ok: false; reason: "malformed" | "unverified"; detail: string };

/**
 * The quicknet round a draw uses (shared/API.md "Draws"):
 * `ceil((endsAt/1000 + 30 − genesis) / 3) + 1`, the first round at or after
 * `endsAt` + 30 s, computed in integer milliseconds so no rounding creeps in.
 * An `endsAt` before the chain began gets round 1, its first.
 */
export function quicknetRound(endsAtMs: number): number {
	if (!Number.isSafeInteger(endsAtMs)) throw new RangeError("endsAt must be an integer of milliseconds");
	const periodMs = QUICKNET.periodSeconds * 1_000;
	const sinceGenesisMs = endsAtMs + ROUND_DELAY_SECONDS * 1_000 - QUICKNET.genesisTime * 1_000;
	if (sinceGenesisMs <= 0) return 1;
	const periods = (sinceGenesisMs - (sinceGenesisMs % periodMs)) / periodMs;
	return (sinceGenesisMs % periodMs === 0 ? periods : periods + 1) + 1;
}

/**
 * Checks a round as a relay serves it (`{round, randomness, signature}`)
 * against the pinned key: the round is the one asked for, `randomness` is
 * `hex(SHA-256(signature))`, and the signature is the chain's BLS signature
 * of `SHA-256(uint64be(round))`. Only then is it a {@link VerifiedRound}.
 */
export function verifyQuicknetRound(answer: unknown, expectedRound: number): RoundCheck {
	if (typeof answer !== "object" || answer === null) return malformed("the answer is not a JSON object");
	const { round, randomness, signature } = answer as Record<string, unknown>;
	if (typeof round !== "number" || !Number.isSafeInteger(round) || round < 1) {
		return malformed("round is not a positive integer");
	}
	if (!isLowerHex(signature, SIGNATURE_BYTES)) return malformed("signature is not 96 lowercase hex digits");
	if (!isLowerHex(randomness, RANDOMNESS_BYTES))
		return malformed("randomness is not 64 lowercase hex digits");
	if (round !== expectedRound)
		return unverified(`the relay answered round ${round} for round ${expectedRound}`);
	const signatureBytes = hexToBytes(signature, SIGNATURE_BYTES);
	if (bytesToHex(sha256(signatureBytes)) !== randomness) {
		return unverified("randomness is not the SHA-256 of the signature");
	}
	if (!signatureVerifies(signatureBytes, round)) {
		return unverified(`the signature does not verify against quicknet's key for round ${round}`);
	}
	return { ok: true, beacon: { round, randomness, signature } as VerifiedRound };
}

function signatureVerifies(signature: Uint8Array, round: number): boolean {
	const message = new Uint8Array(8);
	new DataView(message.buffer).setBigUint64(0, BigInt(round));
	const scheme = bls12_381.shortSignatures;
	publicKey ??= hexToBytes(QUICKNET.publicKey, 96);
	try {
		return scheme.verify(signature, scheme.hash(sha256(message), SIGNATURE_DST), publicKey);
	} catch {
		// 48 bytes that are not a point of G1's subgroup: no signature at all.
		return false;
	}
}

function malformed(detail: string): RoundCheck {
	return { ok: false, reason: "malformed", detail };
}

function unverified(detail: string): RoundCheck {
	return { ok: false, reason: "unverified", detail };
}
