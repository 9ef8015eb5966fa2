import { sha256 } from "@noble/hashes/sha2.js";
import { DrawInputError, type EntrantList, entrantsRoot } from "./entrant-list.ts";
import { bytesToHex, hexToBytes, isLowerHex } from "./hex.ts";
import { shuffledOrder } from "./shuffle.ts";

/** The name the draw view publishes for this algorithm. */
export const DRAW_ALGORITHM = "doorbuster-draw-v1";
/** An entry's nonce: 16 random bytes, 32 hex digits. */
export const NONCE_BYTES = 16;
/** What the seed is made from: a quicknet round's randomness, or a local beacon's secret. */
export const RANDOM_SOURCE_BYTES = 32;

/** The beacons a draw can use (shared/API.md "Draws"). */
export type BeaconKind = "drand-quicknet" | "local";

/** A draw's result: what the view publishes, and the full drawn order for later offers. */
export interface DrawOutcome {
	entrantsRoot: string;
	/** Canonical indices of every entrant in drawn order: runners-up are offered units in this order. */
	order: Uint32Array;
	/** Canonical indices of the winners, in drawn order. */
	winners: Uint32Array;
}

/**
 * An entry's commitment (doorbuster-draw-v1 step 1):
 * `hex(SHA-256(utf8(saleId + "\n" + userId + "\n" + nonce)))`. Only the
 * entrant knows their nonce, so the published list does not tell who entered,
 * yet each entrant can find their own line in it.
 */
export function entryCommitment(saleId: string, userId: string, nonce: string): string {
	if (saleId === "" || userId === "") throw new DrawInputError("saleId and userId must not be empty");
	if (!isLowerHex(nonce, NONCE_BYTES)) throw new DrawInputError("nonce is not 32 lowercase hex digits");
	return bytesToHex(sha256(new TextEncoder().encode(`${saleId}\n${userId}\n${nonce}`)));
}

/**
 * The hex value the seed is made from (doorbuster-draw-v1 step 4): a
 * quicknet round's `randomness`; for `local`, the revealed secret
 * (`signature`), never its `randomness`, which was public all along.
 */
export function randomSource(beacon: BeaconKind, reveal: { randomness: string; signature: string }): string {
	return beacon === "local" ? reveal.signature : reveal.randomness;
}

/** `seed = SHA-256(bytes(R) ‖ bytes(entrantsRoot))` (doorbuster-draw-v1 step 4). */
export function drawSeed(source: string, root: Uint8Array): Uint8Array {
	if (!isLowerHex(source, RANDOM_SOURCE_BYTES)) throw new DrawInputError("R is not 64 lowercase hex digits");
	const input = new Uint8Array(RANDOM_SOURCE_BYTES + root.length);
	input.set(hexToBytes(source, RANDOM_SOURCE_BYTES));
	input.set(root, RANDOM_SOURCE_BYTES);
	return sha256(input);
}

/**
 * The winners (doorbuster-draw-v1 step 7): every variant starts with its
 * `totalStock`; walking the drawn order, an entrant wins if their variant
 * still has their quantity, which is then taken, else they are passed over.
 * `stock` maps each of the list's variant ids to its total stock.
 */
export function pickWinners(
	list: EntrantList,
	order: Uint32Array,
	stock: Readonly<Record<string, number>>,
): Uint32Array {
	const remaining = list.variantIds.map((id) => {
		const units = Object.hasOwn(stock, id) ? stock[id] : undefined;
		if (units === undefined || !Number.isSafeInteger(units) || units < 0) {
			throw new DrawInputError(`no stock given for variant ${JSON.stringify(id)}`);
		}
		return units;
	});
	let unitsLeft = remaining.reduce((sum, units) => sum + units, 0);
	const winners = new Uint32Array(Math.min(list.count, unitsLeft));
	let won = 0;
	// Quantities are at least 1, so once every unit is taken nobody else can win.
	for (let position = 0; position < order.length && unitsLeft > 0; position++) {
		const index = order[position] as number;
		const variant = list.variants[index] as number;
		const quantity = list.quantities[index] as number;
		if ((remaining[variant] as number) < quantity) continue;
		remaining[variant] = (remaining[variant] as number) - quantity;
		unitsLeft -= quantity;
		winners[won++] = index;
	}
	return winners.slice(0, won);
}

/** doorbuster-draw-v1, steps 3 to 7, over a canonical list (steps 1 and 2 build it). */
export function runDraw(
	list: EntrantList,
	stock: Readonly<Record<string, number>>,
	source: string,
): DrawOutcome {
	const root = entrantsRoot(list);
	const order = shuffledOrder(list.count, drawSeed(source, root));
	return { entrantsRoot: bytesToHex(root), order, winners: pickWinners(list, order, stock) };
}
