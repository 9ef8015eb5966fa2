import { describe, expect, it } from "vitest";
import { type RushParams, simulateRush } from "../../bench/capacity-sim.ts";

/** One shard holding all the stock: no lease traffic, one isolate. */
function oneServer(overrides: Partial<RushParams>): RushParams {
	return {
		buyers: 4,
		windowMs: 0,
		stock: 1_000_000,
		shards: 1,
		serviceMs: 10,
		queueLimit: 1_000_000,
		edgeToShardMs: 5,
		shardToCoordinatorMs: 5,
		leaseChunk: 1_000_000,
		lowWater: 0,
		edgeIsolates: 1,
		skew: 0,
		seed: 1,
		...overrides,
	};
}

describe("the rush simulator", () => {
	it("serves buyers who arrive together one after another, as a single server does by hand", () => {
		// Reach the shard at 5 ms, served 10 ms each in turn, answered 5 ms later: 20, 30, 40, 50.
		const result = simulateRush(oneServer({ arrivals: [0, 0, 0, 0], stock: 4, leaseChunk: 4 }));
		expect(result.answers).toEqual({ purchased: 4, sold_out: 0, overloaded: 0 });
		expect(result.latency).toMatchObject({ mean: 35, p50: 40, max: 50 });
		expect(result.sellOutMs).toBe(45);
		expect(result.lastAnswerMs).toBe(50);
	});

	it("answers overloaded once the queue behind the request in service is full", () => {
		// The first is served at once; two wait; the next two find two waiting and
		// are answered at once (10 ms: there and back), the three others at 20, 30 and 40.
		const result = simulateRush(oneServer({ buyers: 5, arrivals: [0, 0, 0, 0, 0], queueLimit: 2 }));
		expect(result.answers).toEqual({ purchased: 3, sold_out: 0, overloaded: 2 });
		expect(result.latency).toMatchObject({ mean: 22, p50: 20, max: 40 });
	});

	it("waits as long as the M/D/1 formula says at half load", () => {
		// Random arrivals at half the service rate: mean wait ρ / (2μ(1 − ρ)) = 0.5 ms on top of 2 × 5 + 1 ms.
		const result = simulateRush(
			oneServer({ buyers: 100_000, windowMs: 200_000, serviceMs: 1, arrivals: undefined }),
		);
		expect(result.answers.purchased).toBe(100_000);
		expect(result.latency.mean - 11).toBeGreaterThan(0.45);
		expect(result.latency.mean - 11).toBeLessThan(0.55);
	});

	it("never sells more than the stock and answers every buyer exactly once, at any K, load and skew", () => {
		for (const [shards, buyers, windowMs, stock, skew, queueLimit] of [
			[1, 5_000, 100, 300, 0, 50],
			[8, 20_000, 500, 2_000, 0, 20],
			[16, 20_000, 2_000, 5_000, 0.5, 100],
			[64, 50_000, 1_000, 10_000, 0, 100],
			[7, 3_000, 3_000, 10_000, 0, 100],
		] as const) {
			const chunk = Math.ceil(stock / (2 * shards));
			const result = simulateRush({
				...oneServer({}),
				buyers,
				windowMs,
				stock,
				shards,
				skew,
				queueLimit,
				serviceMs: 1,
				edgeToShardMs: 10,
				shardToCoordinatorMs: 10,
				leaseChunk: chunk,
				lowWater: Math.ceil(chunk / 2),
				edgeIsolates: 50,
			});
			const { purchased, sold_out, overloaded } = result.answers;
			expect(result.answered).toBe(buyers);
			expect(purchased + sold_out + overloaded).toBe(buyers);
			expect(result.sold).toBe(purchased);
			expect(result.sold).toBeLessThanOrEqual(stock);
			expect(result.sold + result.unsoldUnits).toBe(stock);
			// Nobody is told sold_out while a unit is left anywhere.
			if (sold_out > 0) expect(result.sold).toBe(stock);
		}
	});

	it("sells every unit to buyers who all land on one shard, through leases and recalls", () => {
		const result = simulateRush({
			...oneServer({}),
			buyers: 600,
			windowMs: 3_000,
			stock: 400,
			shards: 8,
			skew: 1,
			serviceMs: 1,
			leaseChunk: 25,
			lowWater: 12,
			arrivals: undefined,
		});
		expect(result.answers).toEqual({ purchased: 400, sold_out: 200, overloaded: 0 });
		expect(result.sellOutMs).not.toBeNull();
		expect(result.coordinatorRequests).toBeGreaterThan(0);
	});

	it("gives the same result for the same seed, and another for another seed", () => {
		const params = {
			...oneServer({}),
			buyers: 20_000,
			windowMs: 500,
			stock: 2_000,
			shards: 8,
			serviceMs: 1,
			leaseChunk: 125,
			lowWater: 63,
			queueLimit: 50,
			edgeIsolates: 20,
		};
		expect(simulateRush(params)).toEqual(simulateRush(params));
		expect(simulateRush({ ...params, seed: 2 })).not.toEqual(simulateRush(params));
	});
});
