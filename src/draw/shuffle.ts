import { sha256 } from "@noble/hashes/sha2.js";
import { DrawInputError } from "./entrant-list.ts";

const TWO_TO_32 = 0x1_0000_0000;
const WORDS_PER_BLOCK = 8;

/**
 * The one stream of words of a draw (doorbuster-draw-v1 step 5): blocks
 * `SHA-256(seed ‖ uint32be(k))` for k = 0, 1, 2, …, each read as eight
 * big-endian uint32 words in order. A word taken is used up, whether the
 * shuffle keeps it or rejects it. SHA-256 is @noble/hashes' synchronous one:
 * Web Crypto's digest is async, and awaiting a million times would cost more
 * than the hashing.
 */
export class WordStream {
	readonly #input: Uint8Array;
	readonly #inputView: DataView;
	readonly #counterOffset: number;
	#block = new DataView(new ArrayBuffer(0));
	#counter = 0;
	#nextWord = WORDS_PER_BLOCK;
	#taken = 0;

	constructor(seed: Uint8Array) {
		this.#input = new Uint8Array(seed.length + 4);
		this.#input.set(seed);
		this.#inputView = new DataView(this.#input.buffer);
		this.#counterOffset = seed.length;
	}

	/** Words taken so far. */
	get taken(): number {
		return this.#taken;
	}

	/** The next word, as an integer in [0, 2^32). */
	next(): number {
		if (this.#nextWord === WORDS_PER_BLOCK) {
			if (this.#counter >= TWO_TO_32) throw new DrawInputError("the word stream is exhausted");
			this.#inputView.setUint32(this.#counterOffset, this.#counter);
			const block = sha256(this.#input);
			this.#block = new DataView(block.buffer, block.byteOffset, block.byteLength);
			this.#counter++;
			this.#nextWord = 0;
		}
		this.#taken++;
		return this.#block.getUint32(4 * this.#nextWord++);
	}
}

/**
 * An index uniform in [0, m) from the stream, by rejection sampling
 * (doorbuster-draw-v1 step 6): words at or above
 * `limit = 2^32 − (2^32 mod m)` are rejected, so every residue is equally
 * likely. Every value here is an integer at most 2^32, which a double holds
 * exactly, so `limit` is exact.
 */
export function uniformIndex(m: number, words: WordStream): number {
	if (!Number.isInteger(m) || m < 1 || m > TWO_TO_32) throw new DrawInputError(`no uniform index below ${m}`);
	const limit = TWO_TO_32 - (TWO_TO_32 % m);
	let word = words.next();
	while (word >= limit) word = words.next();
	return word % m;
}

/**
 * The drawn order of `count` entrants (doorbuster-draw-v1 step 6):
 * Fisher–Yates from the end over the canonical positions 0..count−1. The
 * result holds canonical indices in drawn order; shuffling these indices,
 * not rows, keeps a million entrants in 4 MB.
 */
export function shuffledOrder(count: number, seed: Uint8Array): Uint32Array {
	if (!Number.isInteger(count) || count < 0 || count > TWO_TO_32) {
		throw new DrawInputError(`cannot shuffle ${count} entrants`);
	}
	const order = new Uint32Array(count);
	for (let i = 0; i < count; i++) order[i] = i;
	const words = new WordStream(seed);
	for (let i = count - 1; i >= 1; i--) {
		const j = uniformIndex(i + 1, words);
		const swapped = order[i] as number;
		order[i] = order[j] as number;
		order[j] = swapped;
	}
	return order;
}
