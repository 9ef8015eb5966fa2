import { describe, expect, it } from "vitest";
import { shardOf } from "../../src/domain/shards";
import type { GateStats } from "../../src/sale-object";
import { admin, Buyer, createSale } from "./helpers";
import { reportAll } from "./shard-helpers";

const SHARDS = 4;

async function adminStats(saleId: string): Promise<GateStats> {
	const response = await admin("GET", `/sales/${saleId}`);
	expect(response.status).toBe(200);
	return (await response.json<{ stats: GateStats }>()).stats;
}

/** The value of each sample of `family` for `saleId`, by its labels other than the sale. */
function samples(metrics: string, family: string, saleId: string): Map<string, number> {
	const found = new Map<string, number>();
	const prefix = `${family}{sale="${saleId}"`;
	for (const line of metrics.split("\n").filter((line) => line.startsWith(prefix))) {
		const [labels = "", value = ""] = line.slice(prefix.length).split("} ");
		found.set(labels.replace(/^,/, ""), Number(value));
	}
	return found;
}

describe("a sharded sale's figures", () => {
	it("gives each shard's units sold, held and remaining, in the admin stats and in Prometheus", async () => {
		const sale = await createSale("shard-figures", { totalStock: 40, holdSeconds: 60, shards: SHARDS });
		const buyers = await Promise.all(Array.from({ length: 10 }, (_, i) => Buyer.named(`shard-buyer-${i}`)));
		const sold = Array.from({ length: SHARDS }, () => 0);
		const held = Array.from({ length: SHARDS }, () => 0);
		for (const [i, buyer] of buyers.entries()) {
			expect((await buyer.buy(sale.id)).status).toBe(201);
			const shard = shardOf(sale.id, buyer.userId, SHARDS);
			sold[shard] = (sold[shard] ?? 0) + 1;
			// Every other buyer pays, so held and sold differ.
			if (i % 2 === 0) {
				expect((await buyer.post(sale.id, "order/test-payment", { outcome: "paid" })).status).toBe(200);
			} else {
				held[shard] = (held[shard] ?? 0) + 1;
			}
		}
		await reportAll(sale.id, SHARDS);

		const stats = await adminStats(sale.id);
		expect(stats.shards?.map((shard) => shard.sold)).toEqual(sold);
		expect(stats.shards?.map((shard) => shard.held)).toEqual(held);
		expect(stats.sold).toBe(buyers.length);
		// What no shard holds is in the coordinator's pool, never lost.
		const inShards = (stats.shards ?? []).reduce((sum, shard) => sum + shard.remaining, 0);
		expect(inShards).toBeLessThanOrEqual(stats.remaining);
		expect(stats.remaining).toBe(40 - buyers.length);
		// At least each shard's reports reached the coordinator.
		expect(stats.coordinatorRequests).toBeGreaterThanOrEqual(SHARDS);

		const metrics = await (await admin("GET", "/metrics")).text();
		for (const [family, figure] of [
			["doorbuster_shard_units_sold", "sold"],
			["doorbuster_shard_units_held", "held"],
			["doorbuster_shard_units_remaining", "remaining"],
		] as const) {
			expect(metrics).toContain(`# TYPE ${family} gauge`);
			expect(Object.fromEntries(samples(metrics, family, sale.id))).toEqual(
				Object.fromEntries((stats.shards ?? []).map((shard, i) => [`shard="${i}"`, shard[figure]])),
			);
		}
		const requests = samples(metrics, "doorbuster_coordinator_requests_total", sale.id).get("");
		expect(requests).toBeGreaterThanOrEqual(stats.coordinatorRequests ?? Number.POSITIVE_INFINITY);
	});

	it("gives no shard figures for a sale of one shard", async () => {
		const sale = await createSale("one-shard", { totalStock: 3 });
		expect((await (await Buyer.named("single")).buy(sale.id)).status).toBe(201);
		const stats = await adminStats(sale.id);
		expect(stats).not.toHaveProperty("shards");
		expect(stats).not.toHaveProperty("coordinatorRequests");
		const metrics = await (await admin("GET", "/metrics")).text();
		expect(metrics).toContain(`doorbuster_units_sold{sale="${sale.id}"} 1\n`);
		expect(metrics).not.toMatch(new RegExp(`^doorbuster_(shard|coordinator)_\\w+\\{sale="${sale.id}"`, "m"));
	});
});
