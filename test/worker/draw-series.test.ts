import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SalesSeries } from "../../src/sale-object";
import { clockAt, createDrawSale, enter, entryOf } from "./draw-helpers";
import { admin, Buyer, createSale } from "./helpers";

afterEach(() => {
	vi.useRealTimers();
});

async function seriesOf(saleId: string): Promise<SalesSeries> {
	const response = await admin("GET", `/sales/${saleId}`);
	expect(response.status).toBe(200);
	return (await response.json<{ series: SalesSeries }>()).series;
}

describe("entries over time in the admin overview", () => {
	it("counts each entry in the second it came, once, beside the orders", async () => {
		const startsAt = Date.now() - 1_000;
		const sale = await createDrawSale("entry-series", { startsAt, endsAt: startsAt + 60_000 });
		clockAt(startsAt + 1_500);
		for (const name of ["series-alice", "series-bob"]) {
			await entryOf(await enter(await Buyer.named(name), sale.id));
		}
		clockAt(startsAt + 3_200);
		const carol = await Buyer.named("series-carol");
		await entryOf(await enter(carol, sale.id));
		// A retry returns the same entry and is not counted again.
		expect((await enter(carol, sale.id)).status).toBe(200);

		clockAt(startsAt + 4_500);
		const series = await seriesOf(sale.id);
		expect(series).toEqual({
			startsAt,
			bucketMs: 1_000,
			confirmed: [0, 0, 0, 0, 0],
			entered: [0, 2, 0, 1, 0],
		});
	});

	it("widens the buckets of a long draw exactly as the orders' series does", async () => {
		const startsAt = Date.now() - 1_000;
		// Two hours: 7,200 seconds would be more than 3,600 buckets, so each is two seconds.
		const sale = await createDrawSale("entry-series-long", { startsAt, endsAt: startsAt + 7_200_000 });
		clockAt(startsAt + 5_000);
		await entryOf(await enter(await Buyer.named("series-dave"), sale.id));
		clockAt(startsAt + 7_000);
		const series = await seriesOf(sale.id);
		expect(series.bucketMs).toBe(2_000);
		expect(series.entered).toEqual([0, 0, 1, 0]);
		expect(series.entered).toHaveLength(series.confirmed.length);
	});

	it("counts the entries an object took before storage version 7 when it upgrades", async () => {
		const startsAt = Date.now() - 1_000;
		const sale = await createDrawSale("entry-series-upgrade", { startsAt, endsAt: startsAt + 60_000 });
		clockAt(startsAt + 2_500);
		for (const name of ["series-erin", "series-frank"]) {
			await entryOf(await enter(await Buyer.named(name), sale.id));
		}
		// The object as version 6 code left it: the same entries, and no count of them per bucket.
		const gate = env.SALE_GATE.getByName(sale.id);
		await runInDurableObject(gate, (_, state) => {
			state.storage.sql.exec("DROP TABLE draw_entries_per_bucket");
			for (const later of [
				"shard",
				"shard_leases",
				"lease_ledger",
				"shard_figures",
				"coordinator",
				"handovers",
			]) {
				state.storage.sql.exec(`DROP TABLE ${later}`);
			}
			state.storage.sql.exec("ALTER TABLE variants DROP COLUMN buyers");
			state.storage.sql.exec("ALTER TABLE sale DROP COLUMN relays");
			state.storage.sql.exec("ALTER TABLE sale ADD COLUMN buyers INTEGER NOT NULL DEFAULT 0");
			state.storage.sql.exec(
				"ALTER TABLE sale ADD COLUMN remaining INTEGER NOT NULL DEFAULT 0; UPDATE sale SET remaining = (SELECT SUM(remaining) FROM variants)",
			);
			state.storage.sql.exec("UPDATE schema_version SET version = 6");
		});
		await evictDurableObject(gate);

		clockAt(startsAt + 4_000);
		expect((await seriesOf(sale.id)).entered).toEqual([0, 0, 2, 0]);
		clockAt(startsAt + 4_500);
		await entryOf(await enter(await Buyer.named("series-grace"), sale.id));
		expect((await seriesOf(sale.id)).entered).toEqual([0, 0, 2, 0, 1]);
	});

	it("leaves a first-come sale's series as it was: orders only, no entries", async () => {
		const sale = await createSale("first-come-series");
		const series = await seriesOf(sale.id);
		expect(Object.keys(series).sort()).toEqual(["bucketMs", "confirmed", "startsAt"]);
	});
});
