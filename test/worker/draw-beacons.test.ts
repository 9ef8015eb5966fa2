import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_DRAND_URL, fetchQuicknetRound, relayUrls } from "../../src/draw/drand-relay";
import { createLocalBeacon, revealLocalBeacon, verifyLocalReveal } from "../../src/draw/local-beacon";
import { QUICKNET, quicknetRound, verifyQuicknetRound } from "../../src/draw/quicknet";
import { RECORDED_ROUNDS, type RecordedRound, ROUND_20791007, ROUND_20905307 } from "../draw/quicknet-rounds";
import { TEST_VECTOR } from "../draw/test-vector";

// The beacons inside workerd, where the sale's object will read them. Only
// the relays are stubbed, at globalThis.fetch, serving real recorded rounds
// (test/draw/quicknet-rounds.ts says where each was recorded).

afterEach(() => {
	vi.restoreAllMocks();
});

const toHex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
const fromHex = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
const sha256Hex = async (hex: string) =>
	toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", fromHex(hex))));

/** Relays stubbed by URL; an unknown URL is a relay that cannot be reached. */
function serveRelays(answers: Record<string, () => Response>): string[] {
	const requested: string[] = [];
	vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
		const url = input instanceof Request ? input.url : String(input);
		requested.push(url);
		const answer = answers[url];
		if (answer === undefined) throw new TypeError("fetch failed: connection refused");
		return answer();
	});
	return requested;
}

const roundUrl = (relay: string, round: number) => `${relay}/${QUICKNET.chainHash}/public/${round}`;
const RELAY = "https://relay-one.test";
const BACKUP = "https://relay-two.test";

/** The recorded round, with one bit of its signature flipped. */
function flipSignatureBit(recorded: RecordedRound): string {
	const bytes = fromHex(recorded.signature);
	bytes[20] = (bytes[20] as number) ^ 0x01;
	return toHex(bytes);
}

describe("the quicknet round of a draw", () => {
	it("is the contract's formula, the first round at or after endsAt + 30 s", () => {
		const vectorEndsAt = 1_755_176_355_000;
		expect(quicknetRound(vectorEndsAt)).toBe(TEST_VECTOR.round);
		for (const offsetMs of [-3_001, -3_000, -2_999, -1, 0, 1, 999, 2_999, 3_000, 3_001, 86_400_123]) {
			const endsAt = vectorEndsAt + offsetMs;
			const round = quicknetRound(endsAt);
			expect(round).toBe(Math.ceil((endsAt / 1000 + 30 - 1692803367) / 3) + 1);
			const roundTimeMs = (QUICKNET.genesisTime + (round - 1) * QUICKNET.periodSeconds) * 1000;
			expect(roundTimeMs).toBeGreaterThanOrEqual(endsAt + 30_000);
			expect(roundTimeMs - QUICKNET.periodSeconds * 1000).toBeLessThan(endsAt + 30_000);
		}
	});

	it("is the chain's first round for a sale ending before the chain began", () => {
		expect(quicknetRound(0)).toBe(1);
	});
});

describe("reading a quicknet round from the relays", () => {
	it.each(RECORDED_ROUNDS)("verifies recorded round $round against the pinned key", async (recorded) => {
		const requested = serveRelays({ [roundUrl(RELAY, recorded.round)]: () => Response.json(recorded) });
		const result = await fetchQuicknetRound(RELAY, recorded.round);
		expect(result).toEqual({ ok: true, url: RELAY, beacon: recorded });
		expect(requested).toEqual([roundUrl(RELAY, recorded.round)]);
		// The recorded randomness is what quicknet defines it to be.
		expect(await sha256Hex(recorded.signature)).toBe(recorded.randomness);
	});

	it("refuses a signature with one bit flipped, even with its randomness recomputed to match", async () => {
		const signature = flipSignatureBit(ROUND_20791007);
		const forged = { round: ROUND_20791007.round, signature, randomness: await sha256Hex(signature) };
		serveRelays({ [roundUrl(RELAY, forged.round)]: () => Response.json(forged) });
		const result = await fetchQuicknetRound(RELAY, forged.round);
		expect(result).toEqual({
			ok: false,
			failures: [{ url: RELAY, reason: "unverified", detail: expect.stringMatching(/does not verify/) }],
		});
	});

	it("refuses one round's signature served as another round", async () => {
		const swapped = { ...ROUND_20905307, round: ROUND_20791007.round };
		serveRelays({ [roundUrl(RELAY, swapped.round)]: () => Response.json(swapped) });
		const result = await fetchQuicknetRound(RELAY, swapped.round);
		expect(result.ok).toBe(false);
		expect(!result.ok && result.failures[0]?.detail).toMatch(/does not verify.*round 20791007/);
	});

	it("refuses a relay that answers a different round than the one asked", async () => {
		serveRelays({ [roundUrl(RELAY, ROUND_20791007.round)]: () => Response.json(ROUND_20905307) });
		const result = await fetchQuicknetRound(RELAY, ROUND_20791007.round);
		expect(!result.ok && result.failures[0]).toMatchObject({
			reason: "unverified",
			detail: expect.stringMatching(/answered round 20905307/),
		});
	});

	it("refuses randomness that is not the hash of the signature", async () => {
		const wrong = { ...ROUND_20791007, randomness: ROUND_20905307.randomness };
		serveRelays({ [roundUrl(RELAY, wrong.round)]: () => Response.json(wrong) });
		const result = await fetchQuicknetRound(RELAY, wrong.round);
		expect(!result.ok && result.failures[0]).toMatchObject({
			reason: "unverified",
			detail: expect.stringMatching(/randomness/),
		});
	});

	it.each([
		["an answer that is not JSON", () => new Response("<html>busy</html>", { status: 200 })],
		[
			"a JSON answer without a signature",
			() => Response.json({ round: ROUND_20791007.round, randomness: ROUND_20791007.randomness }),
		],
		[
			"an uppercase signature",
			() => Response.json({ ...ROUND_20791007, signature: ROUND_20791007.signature.toUpperCase() }),
		],
		[
			"a round given as a string",
			() => Response.json({ ...ROUND_20791007, round: String(ROUND_20791007.round) }),
		],
	])("calls %s malformed", async (_, answer) => {
		serveRelays({ [roundUrl(RELAY, ROUND_20791007.round)]: answer });
		const result = await fetchQuicknetRound(RELAY, ROUND_20791007.round);
		expect(!result.ok && result.failures[0]?.reason).toBe("malformed");
	});

	it("calls a round the relay has not got missing", async () => {
		serveRelays({
			[roundUrl(RELAY, ROUND_20791007.round)]: () => new Response("not found", { status: 404 }),
		});
		const result = await fetchQuicknetRound(RELAY, ROUND_20791007.round);
		expect(!result.ok && result.failures[0]?.reason).toBe("missing");
	});

	it("skips an unreachable first relay and takes the round from the second", async () => {
		const requested = serveRelays({
			[roundUrl(BACKUP, ROUND_20791007.round)]: () => Response.json(ROUND_20791007),
		});
		const result = await fetchQuicknetRound(` ${RELAY}/ , ${BACKUP}`, ROUND_20791007.round);
		expect(result).toEqual({ ok: true, url: BACKUP, beacon: ROUND_20791007 });
		expect(requested).toEqual([
			roundUrl(RELAY, ROUND_20791007.round),
			roundUrl(BACKUP, ROUND_20791007.round),
		]);
	});

	it("skips a relay serving a forged round for one serving the real one", async () => {
		const forged = { ...ROUND_20905307, round: ROUND_20791007.round };
		serveRelays({
			[roundUrl(RELAY, ROUND_20791007.round)]: () => Response.json(forged),
			[roundUrl(BACKUP, ROUND_20791007.round)]: () => Response.json(ROUND_20791007),
		});
		const result = await fetchQuicknetRound(`${RELAY},${BACKUP}`, ROUND_20791007.round);
		expect(result).toEqual({ ok: true, url: BACKUP, beacon: ROUND_20791007 });
	});

	it("returns no round, only the reasons, when no relay has a verified one", async () => {
		serveRelays({
			[roundUrl(RELAY, ROUND_20791007.round)]: () => new Response("slow down", { status: 503 }),
			[roundUrl(BACKUP, ROUND_20791007.round)]: () =>
				Response.json({ ...ROUND_20905307, round: ROUND_20791007.round }),
		});
		const result = await fetchQuicknetRound(`${RELAY},${BACKUP},not-a-url`, ROUND_20791007.round);
		expect(result).toEqual({
			ok: false,
			failures: [
				{ url: RELAY, reason: "unreachable", detail: "HTTP 503" },
				{ url: BACKUP, reason: "unverified", detail: expect.any(String) },
				{ url: "not-a-url", reason: "unreachable", detail: "not an http(s) URL" },
			],
		});
	});

	it("asks the contract's default relay when DRAND_URL is unset", () => {
		expect(relayUrls(undefined)).toEqual([DEFAULT_DRAND_URL]);
		expect(DEFAULT_DRAND_URL).toBe("https://api.drand.sh");
	});

	it("checks a round without the network too, as the verifier does", () => {
		expect(verifyQuicknetRound(ROUND_20905307, ROUND_20905307.round).ok).toBe(true);
		expect(verifyQuicknetRound(ROUND_20905307, ROUND_20905307.round + 1).ok).toBe(false);
		expect(verifyQuicknetRound(null, 1)).toMatchObject({ ok: false, reason: "malformed" });
	});
});

describe("the local beacon", () => {
	it("commits to 32 fresh secret bytes with their SHA-256", async () => {
		const beacon = createLocalBeacon();
		expect(beacon.secret).toMatch(/^[0-9a-f]{64}$/);
		expect(beacon.commitment).toBe(await sha256Hex(beacon.secret));
		expect(createLocalBeacon().secret).not.toBe(beacon.secret);
	});

	it("reveals the secret as the signature of round 0, with the commitment as randomness", () => {
		const beacon = createLocalBeacon();
		const reveal = revealLocalBeacon(beacon);
		expect(reveal).toEqual({ round: 0, signature: beacon.secret, randomness: beacon.commitment });
		expect(verifyLocalReveal(beacon.commitment, reveal)).toEqual({ ok: true });
	});

	it("refuses a revealed secret that is not the one committed to", () => {
		const beacon = createLocalBeacon();
		const other = createLocalBeacon();
		expect(verifyLocalReveal(beacon.commitment, revealLocalBeacon(other)).ok).toBe(false);
		const reveal = revealLocalBeacon(beacon);
		expect(verifyLocalReveal(beacon.commitment, { ...reveal, randomness: other.commitment }).ok).toBe(false);
		expect(verifyLocalReveal(beacon.commitment, { ...reveal, round: 1 }).ok).toBe(false);
		expect(
			verifyLocalReveal(beacon.commitment, { ...reveal, signature: reveal.signature.toUpperCase() }).ok,
		).toBe(false);
	});
});
