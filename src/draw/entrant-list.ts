import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, decodeHexInto } from "./hex.ts";

/** A commitment is a SHA-256 digest: 32 bytes, 64 hex digits. */
export const COMMITMENT_BYTES = 32;
/** Variant ids are slugs, like sale ids, so they never hold the "," or "\n" of the root's lines. */
const VARIANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Variants are indexed in one byte per entrant; a sale has at most 50. */
const MAX_VARIANTS = 256;
/** Quantities are kept in a Uint32Array. */
const MAX_QUANTITY = 0xffff_ffff;

/** Input that breaks the draw's rules: a bug in the caller, or a document that lies. */
export class DrawInputError extends Error {
	override name = "DrawInputError";
}

/**
 * The canonical entrant list of a draw, column by column: a million
 * entrants take 37 MB here instead of a million objects and strings, so a
 * draw fits in one Durable Object (128 MB). Entrant `i` is
 * `commitments[32i, 32i+32)`, `variantIds[variants[i]]`, `quantities[i]`, and
 * entrants are in canonical order: commitments strictly ascending.
 */
export interface EntrantList {
	readonly count: number;
	readonly variantIds: readonly string[];
	readonly commitments: Uint8Array;
	readonly variants: Uint8Array;
	readonly quantities: Uint32Array;
}

/** One entrant as the contract publishes it. */
export interface Entrant {
	commitment: string;
	variantId: string;
	quantity: number;
}

/** Whether `value` may be a variant id in the root's lines. */
function isVariantId(value: unknown): value is string {
	return typeof value === "string" && VARIANT_ID.test(value);
}

/**
 * Whether `value` is a quantity the draw accepts: a positive integer whose
 * decimal form (`String(value)`) has no sign, exponent or leading zero.
 */
function isQuantity(value: unknown): value is number {
	return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= MAX_QUANTITY;
}

/**
 * Builds an {@link EntrantList} from entrants given in canonical order, as a
 * storage cursor sorted by commitment yields them (SQLite's default BINARY
 * collation compares lowercase hex in the same order as its bytes). Pass the
 * exact `capacity` when it is known: growing copies the arrays, which at a
 * million entrants would briefly hold them twice.
 */
export class EntrantListBuilder {
	readonly #variantIds: readonly string[];
	readonly #variantIndex: Map<string, number>;
	#commitments: Uint8Array;
	#variants: Uint8Array;
	#quantities: Uint32Array;
	#count = 0;

	constructor(variantIds: readonly string[], capacity = 1_024) {
		if (variantIds.length > MAX_VARIANTS) throw new DrawInputError(`more than ${MAX_VARIANTS} variants`);
		for (const id of variantIds)
			if (!isVariantId(id)) throw new DrawInputError(`bad variant id ${JSON.stringify(id)}`);
		this.#variantIds = [...variantIds];
		this.#variantIndex = new Map(variantIds.map((id, index) => [id, index]));
		if (this.#variantIndex.size !== variantIds.length) throw new DrawInputError("variant ids repeat");
		const initial = Math.max(1, capacity);
		this.#commitments = new Uint8Array(initial * COMMITMENT_BYTES);
		this.#variants = new Uint8Array(initial);
		this.#quantities = new Uint32Array(initial);
	}

	/** Appends the next entrant in canonical order; throws {@link DrawInputError} if it breaks a rule. */
	add(commitment: unknown, variantId: unknown, quantity: unknown): void {
		const position = this.#count;
		const variant = typeof variantId === "string" ? this.#variantIndex.get(variantId) : undefined;
		if (variant === undefined) {
			throw new DrawInputError(
				`entrant ${position}: variant ${JSON.stringify(variantId)} is not in the sale`,
			);
		}
		if (!isQuantity(quantity))
			throw new DrawInputError(`entrant ${position}: quantity is not a positive integer`);
		if (position === this.#quantities.length) this.#grow();
		// Decoded straight into the slot past the list's end: an entrant failing a check is never counted.
		const offset = position * COMMITMENT_BYTES;
		if (!decodeHexInto(commitment, this.#commitments, offset, COMMITMENT_BYTES)) {
			throw new DrawInputError(`entrant ${position}: commitment is not 64 lowercase hex digits`);
		}
		if (position > 0 && compareCommitments(this.#commitments, offset - COMMITMENT_BYTES, offset) >= 0) {
			throw new DrawInputError(`entrant ${position}: commitments are not strictly ascending`);
		}
		this.#variants[position] = variant;
		this.#quantities[position] = quantity;
		this.#count = position + 1;
	}

	/** The list so far; the builder must not be used afterwards. */
	build(): EntrantList {
		const count = this.#count;
		return {
			count,
			variantIds: this.#variantIds,
			commitments: this.#commitments.subarray(0, count * COMMITMENT_BYTES),
			variants: this.#variants.subarray(0, count),
			quantities: this.#quantities.subarray(0, count),
		};
	}

	#grow(): void {
		const capacity = Math.ceil(this.#quantities.length * 1.5) + 1;
		const commitments = new Uint8Array(capacity * COMMITMENT_BYTES);
		commitments.set(this.#commitments);
		this.#commitments = commitments;
		const variants = new Uint8Array(capacity);
		variants.set(this.#variants);
		this.#variants = variants;
		const quantities = new Uint32Array(capacity);
		quantities.set(this.#quantities);
		this.#quantities = quantities;
	}
}

/** Builds the canonical list from entrants already in canonical order (see {@link EntrantListBuilder}). */
export function entrantList(variantIds: readonly string[], entrants: readonly Entrant[]): EntrantList {
	const builder = new EntrantListBuilder(variantIds, entrants.length);
	for (const entrant of entrants) builder.add(entrant.commitment, entrant.variantId, entrant.quantity);
	return builder.build();
}

/** Entrant `index`'s commitment as hex. */
export function commitmentAt(list: EntrantList, index: number): string {
	return bytesToHex(list.commitments, index * COMMITMENT_BYTES, (index + 1) * COMMITMENT_BYTES);
}

/**
 * The canonical index of the entrant with `commitment`, or -1: a binary
 * search, since the list is sorted by commitment.
 */
export function indexOfCommitment(list: EntrantList, commitment: string): number {
	const wanted = new Uint8Array(COMMITMENT_BYTES);
	if (!decodeHexInto(commitment, wanted, 0, COMMITMENT_BYTES)) return -1;
	let low = 0;
	let high = list.count - 1;
	while (low <= high) {
		const middle = (low + high) >>> 1;
		let order = 0;
		for (let i = 0; i < COMMITMENT_BYTES && order === 0; i++) {
			order = (list.commitments[middle * COMMITMENT_BYTES + i] as number) - (wanted[i] as number);
		}
		if (order === 0) return middle;
		if (order < 0) low = middle + 1;
		else high = middle - 1;
	}
	return -1;
}

const COMMA = 0x2c;
const NEWLINE = 0x0a;
const HEX_CODES = new TextEncoder().encode("0123456789abcdef");
/** Longest line of L: 64 hex digits, a variant id of 63, a quantity of 10 digits, separators. */
const MAX_LINE_BYTES = 64 + 1 + 63 + 1 + 10 + 1;
const CHUNK_BYTES = 64 * 1_024;

/**
 * `entrantsRoot` (doorbuster-draw-v1 step 3): SHA-256 of the lines
 * `commitment,variantId,quantity\n` in canonical order, hashed as they are
 * written into one reused chunk, so the ~75 MB text of a million entrants is
 * never held in memory. No entrants: the SHA-256 of the empty string.
 */
export function entrantsRoot(list: EntrantList): Uint8Array {
	const hash = sha256.create();
	const encoder = new TextEncoder();
	const variantBytes = list.variantIds.map((id) => encoder.encode(id));
	const chunk = new Uint8Array(CHUNK_BYTES);
	let used = 0;
	for (let index = 0; index < list.count; index++) {
		if (used + MAX_LINE_BYTES > CHUNK_BYTES) {
			hash.update(chunk.subarray(0, used));
			used = 0;
		}
		const start = index * COMMITMENT_BYTES;
		for (let i = start; i < start + COMMITMENT_BYTES; i++) {
			const byte = list.commitments[i] as number;
			chunk[used++] = HEX_CODES[byte >> 4] as number;
			chunk[used++] = HEX_CODES[byte & 15] as number;
		}
		chunk[used++] = COMMA;
		const variant = variantBytes[list.variants[index] as number] as Uint8Array;
		chunk.set(variant, used);
		used += variant.length;
		chunk[used++] = COMMA;
		used = writeDecimal(list.quantities[index] as number, chunk, used);
		chunk[used++] = NEWLINE;
	}
	hash.update(chunk.subarray(0, used));
	return hash.digest();
}

/** Writes `value`'s decimal digits (no leading zeros) at `offset`; returns the offset after them. */
function writeDecimal(value: number, target: Uint8Array, offset: number): number {
	let digits = 1;
	for (let power = 10; power <= value; power *= 10) digits++;
	let rest = value;
	for (let i = offset + digits - 1; i >= offset; i--) {
		target[i] = 0x30 + (rest % 10);
		rest = Math.floor(rest / 10);
	}
	return offset + digits;
}

function compareCommitments(bytes: Uint8Array, a: number, b: number): number {
	for (let i = 0; i < COMMITMENT_BYTES; i++) {
		const difference = (bytes[a + i] as number) - (bytes[b + i] as number);
		if (difference !== 0) return difference;
	}
	return 0;
}
