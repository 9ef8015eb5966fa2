import { describe, expect, it } from "vitest";
import { runShards } from "../../bench/shards.ts";

/**
 * `npm run bench -- --shards` in small, as a correctness check: the stampede
 * on sales of one and of four shards, every check the benchmark makes. No
 * timing is asserted.
 */
describe("the shards benchmark", () => {
	it("sells exactly the stock on one and on four shards, and the shards' figures add up to the sale's", async () => {
		const result = await runShards(
			[1, 4],
			{ buyers: 1_000, stock: 200, concurrency: 100, quantity: 1 },
			() => {},
		);

		expect(result.failures).toEqual([]);
		expect(result.ok).toBe(true);
		expect(result.runs.map((run) => run.shards)).toEqual([1, 4]);
		for (const run of result.runs) {
			expect(run.rush).toMatchObject({ soldUnits: 200, orders: 200, orderBookRows: 200 });
			expect(run.steady.rounds).toHaveLength(3);
			for (const round of run.steady.rounds)
				expect(round).toMatchObject({ soldUnits: 1_000, orderBookRows: 1_000 });
			expect(run.hold.mean).toBeGreaterThan(0);
		}
		const [one, four] = result.runs;
		expect(one?.rush.coordinatorRequests).toBeUndefined();
		expect(four?.rush.shards?.reduce((sum, shard) => sum + shard.sold, 0)).toBe(200);
		expect(four?.rush.coordinatorRequestsPer1000).toBeGreaterThan(0);
	});

	it("sells exactly the stock through two relays in front of each of four shards", async () => {
		const result = await runShards(
			[4],
			{ buyers: 1_000, stock: 200, concurrency: 100, quantity: 1, relays: 2 },
			() => {},
		);

		expect(result.failures).toEqual([]);
		expect(result.ok).toBe(true);
		expect(result.options.relays).toBe(2);
		const [four] = result.runs;
		expect(four?.rush).toMatchObject({ soldUnits: 200, orders: 200, orderBookRows: 200 });
		expect(four?.rush.shards?.reduce((sum, shard) => sum + shard.sold, 0)).toBe(200);
		for (const round of four?.steady.rounds ?? [])
			expect(round).toMatchObject({ soldUnits: 1_000, orderBookRows: 1_000 });
	});
});
