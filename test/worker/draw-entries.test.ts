import { afterEach, describe, expect, it, vi } from "vitest";
import { entryCommitment } from "../../src/draw/draw-v1";
import { clockAt, createDrawSale, drawView, enter, entryOf } from "./draw-helpers";
import { admin, Buyer, call, createSale, errorCode } from "./helpers";
import { orderOf, truth } from "./hold-helpers";

afterEach(() => {
	vi.useRealTimers();
});

describe("entering a draw", () => {
	it("takes one entry per buyer, with a nonce only its owner sees and the contract's commitment", async () => {
		const sale = await createDrawSale("entry");
		const alice = await Buyer.named("draw-alice");
		const response = await enter(alice, sale.id, { variantId: "us-10", quantity: 1 });
		expect(response.status).toBe(201);
		const entry = await entryOf(response);
		expect(entry).toEqual({
			commitment: entryCommitment(sale.id, "draw-alice", entry.nonce),
			nonce: expect.stringMatching(/^[0-9a-f]{32}$/),
			variantId: "us-10",
			quantity: 1,
			createdAt: expect.any(Number),
		});
		const mine = await call("GET", `/api/sales/${sale.id}/entry`, { token: alice.session });
		expect(mine.status).toBe(200);
		expect(await mine.json()).toEqual({ entry });

		const bob = await Buyer.named("draw-bob");
		const nobody = await call("GET", `/api/sales/${sale.id}/entry`, { token: bob.session });
		expect(nobody.status).toBe(404);
		expect(await errorCode(nobody)).toBe("no_entry");
		// Taking entries moves no stock: the sale is still live with every unit.
		expect((await truth(sale.id)).remaining).toBe(3);
	});

	it("answers a retry, even for another size or quantity, with the same entry and 200", async () => {
		const sale = await createDrawSale("entry-retry", { maxPerUser: 2 });
		const carol = await Buyer.named("draw-carol");
		const first = await entryOf(await enter(carol, sale.id, { variantId: "us-9", quantity: 2 }));
		const again = await enter(carol, sale.id, { variantId: "us-10", quantity: 1 });
		expect(again.status).toBe(200);
		expect(await entryOf(again)).toEqual(first);
		expect((await drawView(sale.id)).status).toBe("open");
	});

	it("refuses the waitlist of a draw sale in the object too, once the edge's view of the sale has lapsed", async () => {
		const sale = await createDrawSale("draw-waitlist");
		const erin = await Buyer.named("draw-erin");
		const purchaseToken = await erin.purchaseToken(sale.id);
		// Past the edge's view cache: only the sale's object can say it is a draw.
		clockAt(Date.now() + 5_000);
		const response = await erin.post(sale.id, "waitlist", { purchaseToken, variantId: "us-9" });
		expect(response.status).toBe(409);
		expect(await errorCode(response)).toBe("draw_sale");
		expect((await truth(sale.id)).waitlist).toBe(0);
	});

	it("refuses entries before the start and after the end, and changes nothing", async () => {
		const now = Date.now();
		const sale = await createDrawSale("entry-window", { startsAt: now + 60_000, endsAt: now + 90_000 });
		const dave = await Buyer.named("draw-dave");
		const early = await dave.requestToken(sale.id);
		expect(early.status).toBe(425);
		clockAt(sale.endsAt - 10_000);
		const purchaseToken = await dave.purchaseToken(sale.id);
		clockAt(sale.endsAt);
		const late = await dave.post(sale.id, "entry", { purchaseToken, variantId: "us-9" });
		expect(late.status).toBe(410);
		expect(await errorCode(late)).toBe("ended");
		expect((await drawView(sale.id)).entrants).toBe(0);
	});

	it("refuses a purchase on a draw sale with 409 draw_sale, and an entry on a first-come sale with 409 not_a_draw", async () => {
		const draw = await createDrawSale("entry-not-buy");
		const race = await createSale("entry-race");
		const erin = await Buyer.named("draw-erin");
		const purchase = await erin.buy(draw.id);
		expect(purchase.status).toBe(409);
		expect(await errorCode(purchase)).toBe("draw_sale");
		expect(await orderOf(erin, draw.id)).toBeNull();

		const entry = await enter(erin, race.id, {});
		expect(entry.status).toBe(409);
		expect(await errorCode(entry)).toBe("not_a_draw");
		for (const path of ["draw", "draw/entrants", "draw/entrants.ndjson"]) {
			const response = await call("GET", `/api/sales/${race.id}/${path}`);
			expect(`${path} ${response.status} ${await errorCode(response)}`).toBe(`${path} 409 not_a_draw`);
		}
		expect((await truth(race.id)).remaining).toBe(10);
	});

	it("shows the beacon fixed at creation, and a draw sale replaced before its start gets its round again", async () => {
		const now = Date.now();
		const saleId = (
			await createDrawSale("entry-beacon", { startsAt: now + 60_000, endsAt: now + 120_000 }, "")
		).id;
		const first = await drawView(saleId);
		expect(first).toEqual({
			beacon: "drand-quicknet",
			chainHash: "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
			round: Math.ceil(((now + 120_000) / 1000 + 30 - 1692803367) / 3) + 1,
			status: "open",
		});
		const replaced = await admin("PUT", `/sales/${saleId}`, {
			name: "Later draw",
			priceCents: 100,
			currency: "USD",
			totalStock: 1,
			startsAt: now + 60_000,
			endsAt: now + 600_000,
			mode: "draw",
		});
		expect(replaced.status).toBe(200);
		expect((await drawView(saleId)).round).toBe(
			Math.ceil(((now + 600_000) / 1000 + 30 - 1692803367) / 3) + 1,
		);
	});
});
