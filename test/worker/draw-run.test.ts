import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Order } from "../../src/domain/order";
import { drawSeed } from "../../src/draw/draw-v1";
import { commitmentAt, entrantList, entrantsRoot } from "../../src/draw/entrant-list";
import { QUICKNET } from "../../src/draw/quicknet";
import { shuffledOrder } from "../../src/draw/shuffle";
import { verifyDraw } from "../../src/draw/verify-draw";
import type { Entry } from "../../src/sale-object";
import { type RecordedRound, ROUND_20791007 } from "../draw/quicknet-rounds";
import {
	clockAt,
	createDrawSale,
	drawDocuments,
	drawView,
	enter,
	entryOf,
	runAlarmsUntilDraw,
} from "./draw-helpers";
import { Buyer, orderBookRows, saleStats } from "./helpers";
import { orderOf, runAlarmsUntil, truth } from "./hold-helpers";

afterEach(() => {
	vi.useRealTimers();
	vi.restoreAllMocks();
});

/** Buyers who each enter the draw for one unit of a size; their entries, by commitment. */
async function enterMany(
	saleId: string,
	label: string,
	sizes: string[],
): Promise<Map<string, { buyer: Buyer; entry: Entry }>> {
	const entrants = new Map<string, { buyer: Buyer; entry: Entry }>();
	for (const [i, variantId] of sizes.entries()) {
		const buyer = await Buyer.named(`${label}-${i}`);
		const entry = await entryOf(await enter(buyer, saleId, { variantId }));
		entrants.set(entry.commitment, { buyer, entry });
	}
	return entrants;
}

/** The relays, stubbed at globalThis.fetch: `answer` serves each request for a round; every request is kept. */
function serveRounds(answer: (round: number) => Response): string[] {
	const requested: string[] = [];
	vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
		const url = input instanceof Request ? input.url : String(input);
		requested.push(url);
		const match = url.match(/^https:\/\/api\.drand\.sh\/([0-9a-f]{64})\/public\/(\d+)$/);
		if (!match || match[1] !== QUICKNET.chainHash) throw new TypeError(`fetch failed: unexpected ${url}`);
		return answer(Number(match[2]));
	});
	return requested;
}

/** When quicknet publishes `round`. */
const roundTime = (round: number) => (QUICKNET.genesisTime + (round - 1) * QUICKNET.periodSeconds) * 1000;

const SIZES_OF_FIVE = ["us-9", "us-10", "us-9", "us-9", "us-10"];

describe("a draw with the local beacon", () => {
	it("freezes the list at endsAt, draws at once, and gives the winners confirmed orders", async () => {
		const sale = await createDrawSale("run-local");
		const entrants = await enterMany(sale.id, "run-local", SIZES_OF_FIVE);
		const open = await drawView(sale.id);
		expect(open.status).toBe("open");
		expect(open).not.toHaveProperty("entrantsRoot");

		clockAt(sale.endsAt);
		const waiting = await drawView(sale.id);
		expect(waiting).toMatchObject({ status: "waiting", beacon: "local", round: 0, entrants: 5 });
		const drawn = await runAlarmsUntilDraw(sale.id, "drawn");
		expect(drawn.entrantsRoot).toBe(waiting.entrantsRoot);
		expect(drawn.algorithm).toBe("doorbuster-draw-v1");
		expect(drawn.signature).toMatch(/^[0-9a-f]{64}$/);
		expect(drawn.randomness).toBe(open.commitment);

		const verdict = verifyDraw(await drawDocuments(sale.id, 2), { allowLocal: true });
		expect(verdict.checks.filter((check) => !check.ok)).toEqual([]);
		expect(verdict.ok).toBe(true);

		// The winners, and only they, hold confirmed orders for their size.
		const winners = drawn.winners ?? [];
		expect(winners.length).toBeGreaterThan(0);
		for (const [commitment, { buyer, entry }] of entrants) {
			const order = await orderOf(buyer, sale.id);
			if (winners.includes(commitment)) {
				expect(order).toMatchObject({ status: "confirmed", variantId: entry.variantId, quantity: 1 });
			} else {
				expect(order).toBeNull();
			}
		}
		const units = winners.length;
		expect((await truth(sale.id)).remaining).toBe(3 - units);
		// Winners' orders reach the order book as purchases do: through the outbox and the queue.
		vi.useRealTimers();
		await vi.waitFor(async () => expect((await saleStats(sale.id)).ordersRecorded).toBe(units), {
			timeout: 20_000,
			interval: 100,
		});
		expect((await orderBookRows(sale.id)).map((row) => row.status)).toEqual(winners.map(() => "confirmed"));
	});

	it("draws once though the alarm comes again and the object restarts between the freeze and the draw", async () => {
		const sale = await createDrawSale("run-once");
		await enterMany(sale.id, "run-once", SIZES_OF_FIVE);
		const gate = env.SALE_GATE.getByName(sale.id);
		clockAt(sale.endsAt);
		const frozen = await drawView(sale.id);
		expect(frozen.status).toBe("waiting");
		// The object goes away after the freeze; the next call makes a new one from storage.
		await abortAllDurableObjects();
		const drawn = await runAlarmsUntilDraw(sale.id, "drawn");
		expect(drawn.entrantsRoot).toBe(frozen.entrantsRoot);
		const sold = 3 - (await truth(sale.id)).remaining;
		for (let i = 0; i < 3; i++) await runDurableObjectAlarm(gate);
		expect(await drawView(sale.id)).toEqual(drawn);
		expect(3 - (await truth(sale.id)).remaining).toBe(sold);
	});

	it("with holds, gives a winner's unpaid unit to the earliest runner-up in drawn order whose size fits", async () => {
		const sale = await createDrawSale("run-holds", { holdSeconds: 60 });
		const entrants = await enterMany(sale.id, "run-holds", [...SIZES_OF_FIVE, "us-9", "us-10"]);
		clockAt(sale.endsAt);
		const drawn = await runAlarmsUntilDraw(sale.id, "drawn");
		const winners = drawn.winners ?? [];
		for (const commitment of winners) {
			const order = await orderOf(entrants.get(commitment)?.buyer as Buyer, sale.id);
			expect(order?.status).toBe("held");
		}
		// The drawn order, recomputed from what is published.
		const documents = await drawDocuments(sale.id);
		const list = entrantList(["us-9", "us-10"], documents.entrants as never);
		const order = shuffledOrder(list.count, drawSeed(drawn.signature as string, entrantsRoot(list)));
		const drawnOrder = Array.from(order, (index) => commitmentAt(list, index));
		const losers = drawnOrder.filter((commitment) => !winners.includes(commitment));

		// The first winner lets the hold run out; its unit goes to the first loser of its size.
		const lapsed = entrants.get(winners[0] as string);
		if (!lapsed) throw new Error("no first winner");
		for (const [commitment, { buyer }] of entrants) {
			if (commitment === winners[0] || !winners.includes(commitment)) continue;
			expect((await buyer.post(sale.id, "order/test-payment", { outcome: "paid" })).status).toBe(200);
		}
		clockAt(sale.endsAt + 61_000);
		await runAlarmsUntil(sale.id, async () => (await drawView(sale.id)).runnersUp?.length === 1);
		const expected = losers.find(
			(commitment) => entrants.get(commitment)?.entry.variantId === lapsed.entry.variantId,
		);
		expect((await drawView(sale.id)).runnersUp).toEqual([expected]);
		const runnerUp = entrants.get(expected as string);
		expect(await orderOf(runnerUp?.buyer as Buyer, sale.id)).toMatchObject({
			status: "held",
			variantId: lapsed.entry.variantId,
		});
		expect((await orderOf(lapsed.buyer, sale.id))?.status).toBe("expired");
		expect(verifyDraw(await drawDocuments(sale.id), { allowLocal: true }).ok).toBe(true);
	});
	it("offers a size whose entrants all won to nobody without scanning the drawn order again, and a unit that comes back later still to the runner-up it fits", async () => {
		// us-10's two entrants always win (they ask for all of its stock); us-9's
		// entry for two loses unless it comes first in drawn order (one time in three).
		const variants = [
			{ id: "us-9", name: "US 9", totalStock: 2 },
			{ id: "us-10", name: "US 10", totalStock: 2 },
		];
		const asks = [
			{ variantId: "us-10", quantity: 1 },
			{ variantId: "us-10", quantity: 1 },
			{ variantId: "us-9", quantity: 1 },
			{ variantId: "us-9", quantity: 1 },
			{ variantId: "us-9", quantity: 2 },
		];
		let drawn: { saleId: string; buyers: Buyer[]; entries: Entry[] } | null = null;
		for (let attempt = 0; attempt < 12 && drawn === null; attempt++) {
			vi.useRealTimers();
			const sale = await createDrawSale(`run-no-fit-${attempt}`, {
				variants,
				totalStock: 4,
				maxPerUser: 2,
				holdSeconds: 60,
			});
			const buyers: Buyer[] = [];
			const entries: Entry[] = [];
			for (const [i, ask] of asks.entries()) {
				const buyer = await Buyer.named(`run-no-fit-${attempt}-${i}`);
				buyers.push(buyer);
				entries.push(await entryOf(await enter(buyer, sale.id, ask)));
			}
			clockAt(sale.endsAt);
			const view = await runAlarmsUntilDraw(sale.id, "drawn");
			if (!view.winners?.includes(entries[4]?.commitment as string))
				drawn = { saleId: sale.id, buyers, entries };
		}
		if (!drawn) throw new Error("the entry for two won twelve draws in a row");
		const { saleId, buyers, entries } = drawn;
		const [c1, c2, a, b, pair] = buyers as [Buyer, Buyer, Buyer, Buyer, Buyer];

		// Each runner-up scan reads draw_picks once a position; counted at the platform's SQL binding.
		let positionReads = 0;
		await runInDurableObject(env.SALE_GATE.getByName(saleId), (_instance, state) => {
			const exec = state.storage.sql.exec.bind(state.storage.sql);
			vi.spyOn(state.storage.sql, "exec").mockImplementation((query, ...bindings) => {
				if (query.includes("FROM draw_picks WHERE position")) positionReads++;
				return exec(query, ...bindings);
			});
		});
		expect((await c1.post(saleId, "order/cancel")).status).toBe(200);
		expect(positionReads).toBeGreaterThan(0);
		positionReads = 0;
		expect((await c2.post(saleId, "order/cancel")).status).toBe(200);
		// The first scan found no us-10 entrant left: two units fit nobody either.
		expect(positionReads).toBe(0);
		expect((await truth(saleId)).variants.find((variant) => variant.id === "us-10")?.remaining).toBe(2);

		// One us-9 unit back fits nobody (the entry left asks for two); the second makes two.
		expect((await a.post(saleId, "order/cancel")).status).toBe(200);
		expect((await drawView(saleId)).runnersUp).toEqual([]);
		expect((await b.post(saleId, "order/cancel")).status).toBe(200);
		expect((await drawView(saleId)).runnersUp).toEqual([entries[4]?.commitment]);
		expect(await orderOf(pair, saleId)).toMatchObject({ status: "held", variantId: "us-9", quantity: 2 });
	});
});

describe("a draw with drand quicknet", () => {
	// Round 20791007 is published at roundTime; a sale ending 30 s before it draws with it.
	const recorded: RecordedRound = ROUND_20791007;
	const endsAt = roundTime(recorded.round) - 30_000;

	it("publishes the frozen list before reading the round, never uses a forged round, and draws with the real one", async () => {
		clockAt(endsAt - 120_000);
		const requested = serveRounds(() => new Response("not yet", { status: 425 }));
		const sale = await createDrawSale("run-quicknet", { startsAt: endsAt - 60_000, endsAt }, "");
		clockAt(endsAt - 30_000);
		const entrants = await enterMany(sale.id, "run-quicknet", SIZES_OF_FIVE);
		expect((await drawView(sale.id)).round).toBe(recorded.round);

		// At endsAt the list is frozen and published; the round is 30 s away and nobody asked for it.
		clockAt(endsAt);
		await runDurableObjectAlarm(env.SALE_GATE.getByName(sale.id));
		const frozen = await drawView(sale.id);
		expect(frozen).toMatchObject({ status: "waiting", entrants: 5, round: recorded.round });
		expect(frozen.entrantsRoot).toMatch(/^[0-9a-f]{64}$/);
		expect(requested).toEqual([]);
		const late = await Buyer.named("run-quicknet-late");
		expect((await late.requestToken(sale.id)).status).toBe(410);

		// A relay serving the round with a forged signature is not used: the draw waits and says why.
		const forged = {
			...recorded,
			signature: `${recorded.signature.slice(0, 40)}00${recorded.signature.slice(42)}`,
		};
		vi.restoreAllMocks();
		const errors = vi.spyOn(console, "error");
		const asked = serveRounds(() => Response.json(forged));
		clockAt(roundTime(recorded.round));
		await runDurableObjectAlarm(env.SALE_GATE.getByName(sale.id));
		expect(asked).toEqual([`https://api.drand.sh/${QUICKNET.chainHash}/public/${recorded.round}`]);
		expect(await drawView(sale.id)).toEqual(frozen);
		expect(errors.mock.calls.flat().join("\n")).toContain("draw_beacon_unusable");
		for (const { buyer } of entrants.values()) expect(await orderOf(buyer, sale.id)).toBeNull();

		// The real round verifies against the pinned key: the draw runs with it.
		serveRounds(() => Response.json(recorded));
		const drawn = await runAlarmsUntilDraw(sale.id, "drawn");
		expect(drawn).toMatchObject({
			randomness: recorded.randomness,
			signature: recorded.signature,
			entrantsRoot: frozen.entrantsRoot,
		});
		const verdict = verifyDraw(await drawDocuments(sale.id));
		expect(verdict.checks.filter((check) => !check.ok)).toEqual([]);
		const orders = await Promise.all([...entrants.values()].map(({ buyer }) => orderOf(buyer, sale.id)));
		expect(orders.filter((order): order is Order => order !== null).length).toBe(drawn.winners?.length);
	});

	it("keeps waiting while the relays are down or answer garbage, retrying later each time", async () => {
		clockAt(endsAt - 120_000);
		const sale = await createDrawSale("run-down", { startsAt: endsAt - 60_000, endsAt }, "");
		serveRounds(() => new Response("{not json", { status: 200 }));
		clockAt(roundTime(recorded.round));
		const gate = env.SALE_GATE.getByName(sale.id);
		for (let i = 0; i < 3; i++) await runDurableObjectAlarm(gate);
		expect((await drawView(sale.id)).status).toBe("waiting");
		vi.restoreAllMocks();
		serveRounds(() => Response.json(recorded));
		expect((await runAlarmsUntilDraw(sale.id, "drawn")).winners).toEqual([]);
	});
});
