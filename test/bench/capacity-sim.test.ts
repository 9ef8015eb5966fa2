import { describe, expect, it } from "vitest";
import { MAX_BATCH, MAX_WAITING, type RushParams, simulateRush } from "../../bench/capacity-sim.ts";

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

describe("the rush simulator with relays", () => {
	it("batches the purchases a relay takes in while its call is on its way, and adds the relay's hops", () => {
		// Buyer 0 reaches the relay at 5, is taken in at 7 and goes alone: at the
		// shard 17, served by 19, back at the relay 29, answered 34. Buyers 1-3
		// reach it at 6 and are taken in by 9, 11 and 13, while that call is out;
		// at 29 they go as one call: at the shard 39, served by 39 + 2 + 2 × 1 = 43,
		// back at 53, answered 58.
		const result = simulateRush(
			oneServer({
				arrivals: [0, 1, 1, 1],
				stock: 4,
				leaseChunk: 4,
				serviceMs: 2,
				resumeMs: 1,
				relays: 1,
				relayToShardMs: 10,
			}),
		);
		expect(result.answers).toEqual({ purchased: 4, sold_out: 0, overloaded: 0 });
		expect(result.latency).toMatchObject({ mean: (34 + 3 * 57) / 4, p50: 57, max: 57 });
		expect(result.sellOutMs).toBe(43);
		expect(result.lastAnswerMs).toBe(58);
		expect(result.relayRequests).toBe(4);
		expect(result.shardRequests).toBe(2);
		expect(result.meanBatch).toBe(2);
	});

	it("sends at most MAX_BATCH purchases a call, the rest in the calls after", () => {
		// The first goes alone at 6 and is back at the relay at 307; by then the
		// relay has taken in the other 300 (by 306), which go 100 a call, each
		// call 301 ms there and back: the last back at 1,210, answered 1,215.
		const result = simulateRush(
			oneServer({
				buyers: 301,
				arrivals: Array.from({ length: 301 }, () => 0),
				serviceMs: 1,
				resumeMs: 0,
				relays: 1,
				relayToShardMs: 150,
			}),
		);
		expect(MAX_BATCH).toBe(100);
		expect(result.shardRequests).toBe(4);
		expect(result.meanBatch).toBe(301 / 4);
		expect(result.lastAnswerMs).toBe(1_215);
	});

	it("answers a call only once a purchase in it that waited for a lease has its outcome", () => {
		// The shard holds one unit and leases one at a time. Buyer 0's call
		// sells it at 19 (answered 34); the lease it asks for arrives at 31. The
		// call of buyers 1 and 2 is served 39 to 42: buyer 1 takes that unit,
		// buyer 2 parks for the next lease (coordinator at 47, served by 49, at
		// the shard 54, resumed by 55, buyer 2 by 56). Only then does the call's
		// answer go back: at the relay 66, both answered 71.
		const result = simulateRush(
			oneServer({
				buyers: 3,
				arrivals: [0, 1, 1],
				stock: 3,
				leaseChunk: 1,
				serviceMs: 2,
				resumeMs: 1,
				relays: 1,
				relayToShardMs: 10,
			}),
		);
		expect(result.answers).toEqual({ purchased: 3, sold_out: 0, overloaded: 0 });
		expect(result.sellOutMs).toBe(56);
		expect(result.latency).toMatchObject({ p50: 70, max: 70 });
		expect(result.lastAnswerMs).toBe(71);
	});

	it("keeps a shard's queue within its relays: the shard refuses no call, whatever the crowd", () => {
		// Five times what four relays can take: relays answer overloaded, but the
		// shard only ever has the other three relays' calls waiting, so every
		// purchase a relay took in gets the shard's answer.
		const params = oneServer({
			buyers: 20_000,
			windowMs: 1_000,
			serviceMs: 1,
			resumeMs: 0.05,
			queueLimit: 4,
			relays: 4,
			arrivals: undefined,
		});
		const result = simulateRush(params);
		expect(result.answers.overloaded).toBeGreaterThan(10_000);
		expect(result.answers.purchased).toBe(result.relayRequests);
		expect(result.answers.purchased + result.answers.overloaded).toBe(20_000);
		expect(result.meanBatch).toBeGreaterThan(1);
		expect(result.shardRequests).toBeLessThan(result.relayRequests);
	});

	it("serves a crowd that would overload a lone shard with no overloaded answer", () => {
		const params = oneServer({
			buyers: 8_000,
			windowMs: 2_000,
			serviceMs: 1,
			resumeMs: 0.05,
			queueLimit: 10,
			arrivals: undefined,
		});
		// 4,000 purchases a second: four times what one object serves.
		expect(simulateRush(params).answers.overloaded).toBeGreaterThan(4_000);
		// Eight relays take 500 a second each, and the shard serves their calls, a few purchases each.
		const relayed = simulateRush({ ...params, relays: 8 });
		expect(relayed.answers).toEqual({ purchased: 8_000, sold_out: 0, overloaded: 0 });
		expect(relayed.relayRequests).toBe(8_000);
		expect(relayed.shardRequests).toBeLessThan(4_000);
	});

	it("never sells more than the stock and answers every buyer exactly once, at any K, M, load and skew", () => {
		for (const [shards, relays, buyers, windowMs, stock, skew, queueLimit] of [
			[1, 1, 5_000, 100, 300, 0, 50],
			[8, 3, 20_000, 500, 2_000, 0, 20],
			[16, 2, 20_000, 2_000, 5_000, 0.5, 100],
			[64, 4, 50_000, 1_000, 10_000, 0, 100],
			[64, 1, 100_000, 1_000, 10_000, 0, 100],
			[7, 8, 3_000, 3_000, 10_000, 0, 100],
			[4, 8, 3_000, 1_000, 400, 1, 100],
		] as const) {
			const chunk = Math.ceil(stock / (2 * shards));
			const result = simulateRush({
				...oneServer({}),
				buyers,
				windowMs,
				stock,
				shards,
				relays,
				skew,
				queueLimit,
				serviceMs: 1,
				resumeMs: 0.05,
				edgeToShardMs: 10,
				shardToCoordinatorMs: 10,
				relayToShardMs: 10,
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
			if (sold_out > 0) expect(result.sold).toBe(stock);
			// Every buyer the edge did not answer itself reached a relay, and no more.
			expect(result.relayRequests).toBeLessThanOrEqual(buyers - result.edgeAnswers);
			expect(result.meanBatch).not.toBeNull();
			expect(result.meanBatch).toBeLessThanOrEqual(100);
		}
	});

	it("answers overloaded at a relay that already keeps its most purchases for its next calls", () => {
		// The first purchase goes alone and takes 2 s there and back; the relay takes in the rest
		// (0.1 ms each) meanwhile, keeps MAX_WAITING of them, and refuses the others.
		const buyers = 3 * MAX_WAITING;
		const result = simulateRush(
			oneServer({
				buyers,
				relays: 1,
				serviceMs: 0.1,
				relayToShardMs: 1_000,
				arrivals: Array(buyers).fill(0),
			}),
		);
		expect(result.answers).toEqual({
			purchased: MAX_WAITING + 1,
			sold_out: 0,
			overloaded: buyers - MAX_WAITING - 1,
		});
	});

	it("adds two relay hops and a relay request to a lone purchase, and with no relays is as before", () => {
		// A buyer a second: no one waits for anyone, so every answer takes
		// 5 + 1 + 5 ms without relays and 5 + 1 + 7 + 1 + 7 + 5 with them.
		const params = {
			...oneServer({}),
			buyers: 1_000,
			windowMs: 1_000_000,
			shards: 4,
			serviceMs: 1,
			leaseChunk: 250_000,
			arrivals: undefined,
		};
		const plain = simulateRush(params);
		expect(plain.latency).toMatchObject({ p50: 11, p90: 11 });
		const relayed = simulateRush({ ...params, relays: 2, relayToShardMs: 7 });
		expect(relayed.latency).toMatchObject({ p50: 26, p90: 26 });
		expect(relayed.answers.purchased).toBe(1_000);
		expect(relayed.meanBatch).toBe(1);
		expect(simulateRush({ ...params, relays: 0 })).toEqual(plain);
		expect(plain.relayRequests).toBe(0);
		expect(plain.meanBatch).toBeNull();
	});
});
