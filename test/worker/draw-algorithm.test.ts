import { describe, expect, it } from "vitest";
import { drawSeed, entryCommitment, pickWinners, runDraw } from "../../src/draw/draw-v1";
import {
	commitmentAt,
	DrawInputError,
	type Entrant,
	EntrantListBuilder,
	entrantList,
	indexOfCommitment,
} from "../../src/draw/entrant-list";
import { shuffledOrder, uniformIndex, WordStream } from "../../src/draw/shuffle";
import { TEST_VECTOR, VECTOR_STOCK } from "../draw/test-vector";

// doorbuster-draw-v1 inside workerd, where the sale's object will run it.
// The expected values come from the contract (its test vector) or from
// `contractDraw` below, a literal reading of the contract's seven steps on
// Web Crypto and BigInt that shares no code with src/draw.

const encoder = new TextEncoder();
const sha256 = async (data: Uint8Array) => new Uint8Array(await crypto.subtle.digest("SHA-256", data));
const toHex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
const fromHex = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));

interface Entry {
	userId: string;
	nonce: string;
	variantId: string;
	quantity: number;
}

/** The first words of the stream `SHA-256(seed ‖ uint32be(k))`, read straight from the contract. */
async function contractWords(seed: Uint8Array, blocks: number): Promise<number[]> {
	const words: number[] = [];
	for (let k = 0; k < blocks; k++) {
		const counter = new Uint8Array(4);
		new DataView(counter.buffer).setUint32(0, k);
		const block = new DataView((await sha256(new Uint8Array([...seed, ...counter]))).buffer);
		for (let i = 0; i < 8; i++) words.push(block.getUint32(4 * i));
	}
	return words;
}

async function contractDraw(saleId: string, entries: Entry[], stock: Record<string, number>, r: string) {
	const rows = await Promise.all(
		entries.map(async (entry) => ({
			...entry,
			commitment: toHex(await sha256(encoder.encode(`${saleId}\n${entry.userId}\n${entry.nonce}`))),
		})),
	);
	rows.sort((a, b) => (a.commitment < b.commitment ? -1 : a.commitment > b.commitment ? 1 : 0));
	const lines = rows.map((row) => `${row.commitment},${row.variantId},${row.quantity}\n`).join("");
	const root = toHex(await sha256(encoder.encode(lines)));
	const seed = await sha256(new Uint8Array([...fromHex(r), ...fromHex(root)]));
	const words = await contractWords(seed, Math.ceil(rows.length / 8) + 8);
	let taken = 0;
	const positions = rows.map((_, index) => index);
	for (let i = positions.length - 1; i >= 1; i--) {
		const m = BigInt(i + 1);
		const limit = 2n ** 32n - (2n ** 32n % m);
		let word = BigInt(words[taken++] as number);
		while (word >= limit) word = BigInt(words[taken++] as number);
		const j = Number(word % m);
		[positions[i], positions[j]] = [positions[j] as number, positions[i] as number];
	}
	const left = { ...stock };
	const winners: string[] = [];
	for (const position of positions) {
		const row = rows[position] as (typeof rows)[number];
		if ((left[row.variantId] as number) < row.quantity) continue;
		left[row.variantId] = (left[row.variantId] as number) - row.quantity;
		winners.push(row.commitment);
	}
	const canonical: Entrant[] = rows.map(({ commitment, variantId, quantity }) => ({
		commitment,
		variantId,
		quantity,
	}));
	return { canonical, root, order: positions.map((position) => rows[position]?.commitment), winners };
}

/** The canonical list of `entries`, built the way the object will: commitments, then sorted. */
function listOf(saleId: string, variantIds: string[], entries: Entry[]) {
	const entrants = entries
		.map((entry) => ({ ...entry, commitment: entryCommitment(saleId, entry.userId, entry.nonce) }))
		.sort((a, b) => (a.commitment < b.commitment ? -1 : 1));
	return entrantList(variantIds, entrants);
}

/** `count` buyers spread over the variants, every fourth asking for two units. */
function crowd(count: number, variantIds: string[]): Entry[] {
	return Array.from({ length: count }, (_, i) => ({
		userId: `buyer-${i}`,
		nonce: i.toString(16).padStart(32, "0"),
		variantId: variantIds[i % variantIds.length] as string,
		quantity: i % 4 === 0 ? 2 : 1,
	}));
}

describe("doorbuster-draw-v1", () => {
	it("gives the contract's test vector its entrants root and winners", () => {
		const list = listOf(
			TEST_VECTOR.saleId,
			TEST_VECTOR.variants.map((variant) => variant.id),
			TEST_VECTOR.entries,
		);
		const outcome = runDraw(list, VECTOR_STOCK, TEST_VECTOR.randomness);
		expect(outcome.entrantsRoot).toBe(TEST_VECTOR.entrantsRoot);
		expect(Array.from(outcome.winners, (index) => commitmentAt(list, index))).toEqual(TEST_VECTOR.winners);
	});

	it("matches a literal reading of the contract on 1,000 entrants, with one variant out of stock", async () => {
		const variantIds = ["us-8", "us-9", "us-10"];
		const stock = { "us-8": 40, "us-9": 7, "us-10": 0 };
		const entries = crowd(1_000, variantIds);
		const expected = await contractDraw("big-drop", entries, stock, TEST_VECTOR.randomness);

		const list = listOf("big-drop", variantIds, entries);
		const outcome = runDraw(list, stock, TEST_VECTOR.randomness);

		expect(Array.from({ length: list.count }, (_, i) => commitmentAt(list, i))).toEqual(
			expected.canonical.map((entrant) => entrant.commitment),
		);
		expect(outcome.entrantsRoot).toBe(expected.root);
		expect(Array.from(outcome.order, (index) => commitmentAt(list, index))).toEqual(expected.order);
		expect(Array.from(outcome.winners, (index) => commitmentAt(list, index))).toEqual(expected.winners);
	});

	it("gives every unit to the earliest entrants in drawn order whose quantity still fits", () => {
		const variantIds = ["us-8", "us-9", "us-10"];
		const stock = { "us-8": 5, "us-9": 3, "us-10": 0 };
		const list = listOf("scarce-drop", variantIds, crowd(60, variantIds));
		const { order, winners } = runDraw(list, stock, TEST_VECTOR.randomness);

		const won = new Set(winners);
		const left = [5, 3, 0];
		let passedOverWithUnitsLeft = 0;
		for (const index of order) {
			const variant = list.variants[index] as number;
			const quantity = list.quantities[index] as number;
			const fits = (left[variant] as number) >= quantity;
			expect(won.has(index)).toBe(fits);
			if (fits) left[variant] = (left[variant] as number) - quantity;
			else if ((left[variant] as number) > 0) passedOverWithUnitsLeft++;
		}
		expect(left).toEqual([0, 0, 0]);
		// Nobody on us-10 (no stock) wins; and at least one two-unit entrant was
		// passed over for a later one-unit entrant, so the walk does not stop at
		// the first entrant who does not fit.
		expect(Array.from(winners).some((index) => list.variants[index] === 2)).toBe(false);
		expect(passedOverWithUnitsLeft).toBeGreaterThan(0);
	});

	it("draws no winners and hashes the empty string when nobody entered", async () => {
		const outcome = runDraw(entrantList(["default"], []), { default: 10 }, TEST_VECTOR.randomness);
		expect(outcome.entrantsRoot).toBe(toHex(await sha256(new Uint8Array())));
		expect(outcome.order).toHaveLength(0);
		expect(outcome.winners).toHaveLength(0);
	});

	it("lets a single entrant win if their quantity fits, and takes no words for it", () => {
		const list = listOf(
			"solo-drop",
			["default"],
			[{ userId: "ann", nonce: "ab".repeat(16), variantId: "default", quantity: 2 }],
		);
		expect(Array.from(runDraw(list, { default: 2 }, TEST_VECTOR.randomness).winners)).toEqual([0]);
		expect(Array.from(runDraw(list, { default: 1 }, TEST_VECTOR.randomness).winners)).toEqual([]);
		expect(Array.from(shuffledOrder(1, new Uint8Array(32)))).toEqual([0]);
	});

	it("draws an order holding every entrant exactly once", () => {
		const order = shuffledOrder(10_000, new Uint8Array(32).fill(7));
		expect(new Set(order).size).toBe(10_000);
		expect(Math.max(...order)).toBe(9_999);
	});
});

describe("rejection sampling", () => {
	/** A seed whose first two words satisfy `wanted`, found by trying seeds in a fixed sequence. */
	async function seedWhere(wanted: (first: number, second: number) => boolean) {
		for (let attempt = 0; attempt < 1_000; attempt++) {
			const seed = await sha256(encoder.encode(`rejection seed ${attempt}`));
			const [first, second, third] = (await contractWords(seed, 1)) as [number, number, number];
			if (wanted(first, second)) return { seed, first, second, third };
		}
		throw new Error("no seed in the first 1,000 has the words wanted");
	}

	it("uses up a word at or above the limit and lets the next word decide", async () => {
		// Above 2^31, 2^32 mod m = 2^32 − m, so the limit is m itself.
		const { seed, first, second, third } = await seedWhere((a, b) => a > 2 ** 31 && b < a);
		const m = Math.max(second + 1, 2 ** 31 + 1);
		expect(first).toBeGreaterThanOrEqual(m);
		const words = new WordStream(seed);
		expect(uniformIndex(m, words)).toBe(second % m);
		expect(words.taken).toBe(2);
		expect(words.next()).toBe(third);
	});

	it("keeps a word just below the limit and rejects one at it", async () => {
		// m = 1.5 × 2^30 leaves 2^32 mod m = 2^30: the limit is 2m = 3 × 2^30, not m and not 2^32 − m.
		const m = 3 * 2 ** 29;
		const limit = 2 ** 32 - 2 ** 30;
		const kept = await seedWhere((a) => a >= 2 ** 32 - m && a < limit);
		const keptWords = new WordStream(kept.seed);
		expect(uniformIndex(m, keptWords)).toBe(kept.first - m);
		expect(keptWords.taken).toBe(1);

		const rejected = await seedWhere((a, b) => a >= limit && b < limit);
		const rejectedWords = new WordStream(rejected.seed);
		expect(uniformIndex(m, rejectedWords)).toBe(rejected.second % m);
		expect(rejectedWords.taken).toBe(2);
	});
});

describe("strict input", () => {
	const good = "ab".repeat(32);

	it.each([
		["an uppercase commitment", "AB".repeat(32), "default", 1],
		["a commitment one digit short", good.slice(1), "default", 1],
		["a commitment that is not a string", 42, "default", 1],
		["an unknown variant", good, "us-11", 1],
		["a quantity of 0", good, "default", 0],
		["a fractional quantity", good, "default", 1.5],
		["a quantity written as a string", good, "default", "1"],
		["a negative quantity", good, "default", -1],
	])("refuses %s", (_, commitment, variantId, quantity) => {
		const builder = new EntrantListBuilder(["default"]);
		expect(() => builder.add(commitment, variantId, quantity)).toThrow(DrawInputError);
	});

	it("refuses variant ids that could break the root's lines, or that repeat", () => {
		expect(() => new EntrantListBuilder(["us,9"])).toThrow(DrawInputError);
		expect(() => new EntrantListBuilder(["US 9"])).toThrow(DrawInputError);
		expect(() => new EntrantListBuilder(["us-9", "us-9"])).toThrow(DrawInputError);
	});

	it("refuses entrants out of canonical order, or twice", () => {
		const descending = new EntrantListBuilder(["default"]);
		descending.add("b".repeat(64), "default", 1);
		expect(() => descending.add("a".repeat(64), "default", 1)).toThrow(/strictly ascending/);
		const repeated = new EntrantListBuilder(["default"]);
		repeated.add("a".repeat(64), "default", 1);
		expect(() => repeated.add("a".repeat(64), "default", 1)).toThrow(/strictly ascending/);
	});

	it("refuses a nonce or R that is not lowercase hex of its length, and a variant without stock", () => {
		expect(() => entryCommitment("drop", "ann", "AB".repeat(16))).toThrow(DrawInputError);
		expect(() => entryCommitment("drop", "ann", "ab".repeat(15))).toThrow(DrawInputError);
		expect(() => drawSeed(TEST_VECTOR.randomness.toUpperCase(), new Uint8Array(32))).toThrow(DrawInputError);
		expect(() => drawSeed(TEST_VECTOR.randomness.slice(2), new Uint8Array(32))).toThrow(DrawInputError);
		const list = entrantList(["us-9", "us-10"], [{ commitment: good, variantId: "us-9", quantity: 1 }]);
		expect(() => pickWinners(list, new Uint32Array([0]), { "us-9": 1 })).toThrow(/us-10/);
	});

	it("finds an entrant by commitment, and no one by a commitment not in the list", () => {
		const list = listOf("find-drop", ["us-9", "us-10"], crowd(300, ["us-9", "us-10"]));
		for (const index of [0, 1, 150, 298, 299])
			expect(indexOfCommitment(list, commitmentAt(list, index))).toBe(index);
		expect(indexOfCommitment(list, "0".repeat(64))).toBe(-1);
		expect(indexOfCommitment(list, "f".repeat(64))).toBe(-1);
		expect(indexOfCommitment(list, commitmentAt(list, 5).toUpperCase())).toBe(-1);
	});

	it("reads a list whose size was not given in advance", () => {
		const builder = new EntrantListBuilder(["default"], 1);
		const commitments = Array.from({ length: 50 }, (_, i) => i.toString(16).padStart(64, "0"));
		for (const commitment of commitments) builder.add(commitment, "default", 1);
		const list = builder.build();
		expect(Array.from({ length: list.count }, (_, i) => commitmentAt(list, i))).toEqual(commitments);
	});
});
