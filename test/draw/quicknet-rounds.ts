/**
 * Real quicknet rounds, as a relay serves them at
 * `{url}/52db9ba7…e971/public/{round}`. Signatures are public data recorded
 * by others; `randomness` is SHA-256 of the signature, as quicknet defines it.
 */
export interface RecordedRound {
	round: number;
	randomness: string;
	signature: string;
}

/**
 * Round 20791007: the signature is recorded in randa-mu/bls-solidity
 * `test/data/src/main.rs` (`quicknet_test_case`, which checks it with a
 * pairing) and `test/data/drand_quicknet.json`; its randomness is the R of
 * the contract's test vector (shared/API.md "Draws").
 */
export const ROUND_20791007: RecordedRound = {
	round: 20791007,
	randomness: "f4ad45db792e14676c62891989b804504e09bf0029cd472143d958649ab3c88a",
	signature:
		"8d2c8bbc37170dbacc5e280a21d4e195cff5f32a19fd6a58633fa4e4670478b5fb39bc13dd8f8c4372c5a76191198ac5",
};

/** Round 20905307: recorded in randa-mu/bls-solidity `test/data/src/main.rs` (second `quicknet_test_case`). */
export const ROUND_20905307: RecordedRound = {
	round: 20905307,
	randomness: "1e59991c53740175e0e19e9889475267c54381beea6fdd9f8c020df1656cb90e",
	signature:
		"8a60486975062d9f06633c284cf1a7b46fb343f56f329f180530ca40a9e86320244f4fbfc37ae866cf25ef499665a31f",
};

/**
 * Round 12040883: recorded in drand/tlock `tlock_test.go` (TestDecryptText),
 * the signature that decrypts a ciphertext whose header locks it to
 * `tlock 12040883 52db9ba7…` (the quicknet chain).
 */
export const ROUND_12040883: RecordedRound = {
	round: 12040883,
	randomness: "173df1f57805453a8d2015268205d68147de12cafc2f451f7bc6adadca3571b3",
	signature:
		"929906c959032ab363c9f26570d215d66f5c06cb0c44fe508c12bb5839f04ec895bb6868e5b9ff13ab289bdb5266b394",
};

export const RECORDED_ROUNDS = [ROUND_20791007, ROUND_20905307, ROUND_12040883];
