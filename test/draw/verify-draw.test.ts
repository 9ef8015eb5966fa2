import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createServer } from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { entryCommitment, runDraw } from "../../src/draw/draw-v1.ts";
import { commitmentAt, type Entrant, entrantList } from "../../src/draw/entrant-list.ts";
import { createLocalBeacon } from "../../src/draw/local-beacon.ts";
import { type DrawDocuments, type DrawVerdict, verifyDraw } from "../../src/draw/verify-draw.ts";
import { type RecordedRound, ROUND_20791007, ROUND_20905307 } from "./quicknet-rounds.ts";
import { TEST_VECTOR, VECTOR_STOCK } from "./test-vector.ts";

// The verifier's checks, in Node where the command runs, on documents shaped
// as the contract publishes them, built from the contract's test vector and
// the real quicknet round it names. Each forgery below is what a dishonest
// operator could publish; every one must fail, and fail where it lies.

/** An `endsAt` whose draw round is 20791007: 30 s before that round, on a period boundary. */
const ENDS_AT = 1_755_176_355_000;
const QUICKNET_CHAIN_HASH = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971";
const sha256Hex = (hex: string) => createHash("sha256").update(Buffer.from(hex, "hex")).digest("hex");

function vectorEntrants(): Entrant[] {
	return TEST_VECTOR.entries
		.map((entry) => ({
			commitment: entryCommitment(TEST_VECTOR.saleId, entry.userId, entry.nonce),
			variantId: entry.variantId,
			quantity: entry.quantity,
		}))
		.sort((a, b) => (a.commitment < b.commitment ? -1 : 1));
}

interface DrawFields {
	beacon: string;
	chainHash: string | null;
	round: number;
	status: string;
	commitment?: string;
	entrants: number;
	entrantsRoot: string;
	randomness: string;
	signature: string;
	winners: string[];
	runnersUp: string[];
	algorithm: string;
}

/** The test vector's draw as an honest server publishes it, with `changes` applied. */
function documents(changes: Partial<DrawFields> = {}, entrants: unknown[] = vectorEntrants()): DrawDocuments {
	return {
		saleId: TEST_VECTOR.saleId,
		sale: {
			sale: {
				id: TEST_VECTOR.saleId,
				name: "Vector drop",
				startsAt: ENDS_AT - 3_600_000,
				endsAt: ENDS_AT,
				totalStock: 3,
				remaining: 0,
				variants: [
					{ id: "us-9", name: "US 9", totalStock: 2, remaining: 0 },
					{ id: "us-10", name: "US 10", totalStock: 1, remaining: 0 },
				],
				mode: "draw",
				status: "ended",
			},
			serverTime: ENDS_AT + 60_000,
		},
		draw: {
			draw: {
				beacon: "drand-quicknet",
				chainHash: QUICKNET_CHAIN_HASH,
				round: ROUND_20791007.round,
				status: "drawn",
				entrants: 4,
				entrantsRoot: TEST_VECTOR.entrantsRoot,
				randomness: ROUND_20791007.randomness,
				signature: ROUND_20791007.signature,
				winners: TEST_VECTOR.winners,
				runnersUp: [],
				algorithm: "doorbuster-draw-v1",
				...changes,
			},
		},
		entrants,
	};
}

/** The winners a forger would publish to match their own random value. */
function winnersFor(source: string): string[] {
	const list = entrantList(
		TEST_VECTOR.variants.map((variant) => variant.id),
		vectorEntrants(),
	);
	return Array.from(runDraw(list, VECTOR_STOCK, source).winners, (index) => commitmentAt(list, index));
}

/** A forger's round: `recorded` under its own number, with winners made to match it. */
function consistentRound(recorded: RecordedRound): Partial<DrawFields> {
	return { ...recorded, winners: winnersFor(recorded.randomness) };
}

const failed = (verdict: DrawVerdict) =>
	verdict.checks.filter((check) => !check.ok).map((check) => check.name);
const alice = TEST_VECTOR.entries[0] as (typeof TEST_VECTOR.entries)[number];
const bob = TEST_VECTOR.entries[1] as (typeof TEST_VECTOR.entries)[number];

describe("verifying a draw", () => {
	it("accepts the contract's test vector drawn with quicknet round 20791007", () => {
		const verdict = verifyDraw(documents());
		expect(failed(verdict)).toEqual([]);
		expect(verdict.ok).toBe(true);
		expect(verdict.checks.map((check) => check.name)).toEqual([
			"sale",
			"draw",
			"chain",
			"round",
			"beacon",
			"entrant list",
			"entrant count",
			"entrants root",
			"winners",
			"runners-up",
		]);
	});

	it("refuses an entrant list with an entrant left out", () => {
		const verdict = verifyDraw(documents({}, vectorEntrants().slice(1)));
		expect(verdict.ok).toBe(false);
		expect(failed(verdict)).toEqual(expect.arrayContaining(["entrant count", "entrants root"]));
	});

	it("refuses an entrant list with an entrant's quantity changed", () => {
		const entrants = vectorEntrants().map((entrant) =>
			entrant.quantity === 2 ? { ...entrant, quantity: 1 } : entrant,
		);
		const verdict = verifyDraw(documents({}, entrants));
		expect(verdict.ok).toBe(false);
		expect(failed(verdict)).toContain("entrants root");
	});

	it("refuses an entrant list served out of canonical order", () => {
		const verdict = verifyDraw(documents({}, vectorEntrants().reverse()));
		expect(verdict.ok).toBe(false);
		expect(failed(verdict)).toEqual(["entrant list"]);
	});

	it("refuses a swapped winner", () => {
		const bobsCommitment = entryCommitment(TEST_VECTOR.saleId, bob.userId, bob.nonce);
		const winners = [...TEST_VECTOR.winners.slice(0, 2), bobsCommitment];
		const verdict = verifyDraw(documents({ winners }));
		expect(verdict.ok).toBe(false);
		expect(failed(verdict)).toEqual(["winners"]);
	});

	it("refuses the right winners in the wrong order", () => {
		const verdict = verifyDraw(documents({ winners: [...TEST_VECTOR.winners].reverse() }));
		expect(failed(verdict)).toEqual(["winners"]);
	});

	it("refuses a forged round: another real quicknet round, with winners made to match it", () => {
		const verdict = verifyDraw(documents(consistentRound(ROUND_20905307)));
		expect(verdict.ok).toBe(false);
		expect(failed(verdict)).toEqual(["round"]);
	});

	it("refuses a forged signature, with randomness and winners made to match it", () => {
		const signature = `${ROUND_20791007.signature.slice(0, 40)}00${ROUND_20791007.signature.slice(42)}`;
		const forged = { round: ROUND_20791007.round, signature, randomness: sha256Hex(signature) };
		const verdict = verifyDraw(documents(consistentRound(forged)));
		expect(verdict.ok).toBe(false);
		expect(failed(verdict)).toEqual(["beacon"]);
	});

	it("refuses another round's signature presented as the right round", () => {
		const verdict = verifyDraw(
			documents(consistentRound({ ...ROUND_20905307, round: ROUND_20791007.round })),
		);
		expect(failed(verdict)).toEqual(["beacon"]);
	});

	it("refuses randomness that is not the round's, with winners made to match it", () => {
		const verdict = verifyDraw(
			documents({ randomness: ROUND_20905307.randomness, winners: winnersFor(ROUND_20905307.randomness) }),
		);
		expect(failed(verdict)).toEqual(["beacon"]);
	});

	it("refuses a draw on another chain", () => {
		const verdict = verifyDraw(
			documents({ chainHash: "8990e7a9aaed2ffed73dbd7092123d6f289930540d7651336225dc172e51b2ce" }),
		);
		expect(failed(verdict)).toEqual(["chain"]);
	});

	it("refuses a draw that has not been drawn yet, saying so", () => {
		const verdict = verifyDraw(documents({ status: "waiting" }));
		expect(verdict.ok).toBe(false);
		expect(failed(verdict)).toEqual(["draw"]);
		expect(verdict.checks.at(-1)?.detail).toBe('the draw is "waiting", not drawn yet');
	});

	it("refuses documents of another sale", () => {
		const verdict = verifyDraw({ ...documents(), saleId: "other-drop" });
		expect(failed(verdict)).toEqual(["sale"]);
	});

	it("refuses runners-up who won or never entered", () => {
		const bobsCommitment = entryCommitment(TEST_VECTOR.saleId, bob.userId, bob.nonce);
		expect(verifyDraw(documents({ runnersUp: [bobsCommitment] })).ok).toBe(true);
		expect(failed(verifyDraw(documents({ runnersUp: [TEST_VECTOR.winners[0] as string] })))).toEqual([
			"runners-up",
		]);
		expect(failed(verifyDraw(documents({ runnersUp: ["0".repeat(64)] })))).toEqual(["runners-up"]);
	});
});

describe("a sale without variants", () => {
	/** Three entrants of the sale's one variant, "default", drawn by an honest server with `stock` units. */
	function defaultVariantDocuments(stock: number, viewedStock: number): DrawDocuments {
		const entrants = ["ann", "ben", "cat"]
			.map((userId) => ({
				commitment: entryCommitment("plain-drop", userId, "0f".repeat(16)),
				variantId: "default",
				quantity: 1,
			}))
			.sort((a, b) => (a.commitment < b.commitment ? -1 : 1));
		const list = entrantList(["default"], entrants);
		const outcome = runDraw(list, { default: stock }, ROUND_20791007.randomness);
		const base = documents(
			{
				entrants: 3,
				entrantsRoot: outcome.entrantsRoot,
				winners: Array.from(outcome.winners, (index) => commitmentAt(list, index)),
			},
			entrants,
		);
		return {
			...base,
			saleId: "plain-drop",
			sale: { sale: { id: "plain-drop", endsAt: ENDS_AT, totalStock: viewedStock, remaining: 0 } },
		};
	}

	it("draws its one variant, default, from its totalStock", () => {
		expect(verifyDraw(defaultVariantDocuments(2, 2)).ok).toBe(true);
		expect(failed(verifyDraw(defaultVariantDocuments(2, 1)))).toEqual(["winners"]);
	});
});

describe("checking one's own entry", () => {
	it("finds a winning entry and a losing one in the list", () => {
		const won = verifyDraw(documents(), { entry: { userId: alice.userId, nonce: alice.nonce } });
		expect(won.ok).toBe(true);
		expect(won.checks.at(-1)).toMatchObject({
			name: "your entry",
			ok: true,
			detail: expect.stringMatching(/it won$/),
		});
		const lost = verifyDraw(documents(), { entry: { userId: bob.userId, nonce: bob.nonce } });
		expect(lost.checks.at(-1)).toMatchObject({ ok: true, detail: expect.stringMatching(/did not win$/) });
	});

	it("fails when the entry was left out of the list", () => {
		const verdict = verifyDraw(documents(), { entry: { userId: "eve", nonce: "ee".repeat(16) } });
		expect(verdict.ok).toBe(false);
		expect(failed(verdict)).toEqual(["your entry"]);
	});
});

describe("the local beacon", () => {
	// A fixed secret whose draw differs from one seeded by its commitment, so
	// seeding from the wrong value cannot pass by luck (four entrants have few outcomes).
	const secret = "00000000000000000000000000000000000000000000000000000000000000a1";
	const beacon = { secret, commitment: sha256Hex(secret) };
	const localDraw = (seedFrom: string) => ({
		beacon: "local",
		chainHash: null,
		round: 0,
		commitment: beacon.commitment,
		randomness: beacon.commitment,
		signature: beacon.secret,
		winners: winnersFor(seedFrom),
	});

	it("is refused unless allowed, since the operator knew its secret", () => {
		const verdict = verifyDraw(documents(localDraw(beacon.secret)));
		expect(verdict.ok).toBe(false);
		expect(failed(verdict)).toEqual(["beacon"]);
	});

	it("verifies when allowed, with the seed made from the revealed secret", () => {
		expect(winnersFor(beacon.secret)).not.toEqual(winnersFor(beacon.commitment));
		expect(verifyDraw(documents(localDraw(beacon.secret)), { allowLocal: true }).ok).toBe(true);
		// Seeding from the public commitment instead of the secret is not doorbuster-draw-v1.
		const fromCommitment = verifyDraw(documents(localDraw(beacon.commitment)), { allowLocal: true });
		expect(failed(fromCommitment)).toEqual(["winners"]);
	});

	it("refuses a secret that is not the one committed to", () => {
		const other = createLocalBeacon();
		const verdict = verifyDraw(documents({ ...localDraw(other.secret), signature: other.secret }), {
			allowLocal: true,
		});
		expect(failed(verdict)).toEqual(["beacon"]);
	});
});

describe("the doorbuster-verify command", () => {
	const command = path.join(import.meta.dirname, "../../bin/doorbuster-verify.js");
	const run = (...args: string[]) => spawnSync(process.execPath, [command, ...args], { encoding: "utf8" });

	it("shows its usage and exits 2 on bad arguments", () => {
		for (const args of [
			[],
			["http://localhost:8787"],
			["ftp://x", "drop"],
			["http://x", "Not A Slug"],
			["http://x", "drop", "--entry", "ab"],
		]) {
			const result = run(...args);
			expect(result.status).toBe(2);
			expect(result.stderr).toContain("Usage: doorbuster-verify <origin> <saleId>");
		}
	});

	it("exits 1 when the origin cannot be reached", async () => {
		const port = await new Promise<number>((resolve) => {
			const server = createServer().listen(0, "127.0.0.1", () => {
				const address = server.address();
				server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
			});
		});
		const result = run(`http://127.0.0.1:${port}`, "vector-drop");
		expect(result.status).toBe(1);
		expect(result.stderr).toContain("Cannot read the draw");
	});
});
