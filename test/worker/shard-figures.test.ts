import { describe, expect, it } from "vitest";
import { admin, Buyer, createSale } from "./helpers";

interface ShardFigures {
	remaining: number;
	sold: number;
	held: number;
}

interface ShardedStats {
	sold: number;
	remaining: number;
	shards?: ShardFigures[];
	coordinatorRequests?: number;
}

async function adminStats(saleId: string): Promise<ShardedStats> {
	const response = await admin("GET", `/sales/${saleId}`);
	expect(response.status).toBe(200);
	return (await response.json<{ stats: ShardedStats }>()).stats;
}

describe("a sharded sale's figures", () => {
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
