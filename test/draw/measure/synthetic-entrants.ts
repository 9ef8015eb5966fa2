/**
 * Synthetic entrants for measuring draws: `count` rows whose commitments
 * ascend by construction (the entrant number, then pseudo-random digits), as
 * a storage cursor sorted by commitment would yield them. Four variants; one
 * entrant in four asks for two units.
 */
export const VARIANT_IDS = ["us-8", "us-9", "us-10", "us-11"];
/** 500 pairs per size: a big drop, most entrants lose. */
export const STOCK: Record<string, number> = Object.fromEntries(VARIANT_IDS.map((id) => [id, 500]));
/** A real quicknet randomness (round 20791007). */
export const RANDOMNESS = "f4ad45db792e14676c62891989b804504e09bf0029cd472143d958649ab3c88a";

export type Row = [commitment: string, variantId: string, quantity: number];

/** Calls `visit` for each row in canonical order. */
export function forEachRow(from: number, count: number, visit: (row: Row) => void): void {
	let state = 0x9e3779b9;
	for (let i = from; i < from + count; i++) {
		let commitment = i.toString(16).padStart(8, "0");
		for (let word = 0; word < 7; word++) {
			// xorshift32: cheap filler, so generating rows costs little next to the draw.
			state ^= state << 13;
			state ^= state >>> 17;
			state ^= state << 5;
			commitment += (state >>> 0).toString(16).padStart(8, "0");
		}
		visit([commitment, VARIANT_IDS[i % VARIANT_IDS.length] as string, i % 4 === 0 ? 2 : 1]);
	}
}
