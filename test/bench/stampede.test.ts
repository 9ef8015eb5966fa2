import { describe, expect, it } from "vitest";
import { runStampede } from "../../bench/run-stampede.ts";

/**
 * The stampede benchmark in small, as a correctness check: the real Worker in
 * local workerd, a real rush over HTTP, and every check the benchmark makes.
 * No timing is asserted; speed is measured only by `npm run bench`.
 */
describe("the stampede benchmark", () => {
	it("sells exactly the stock to 3,000 buyers, loses no order and keeps every answer in the contract", async () => {
		const result = await runStampede({
			buyers: 3_000,
			stock: 100,
			concurrency: 200,
			quantity: 1,
			steadyBuyers: 600,
			referenceRequests: 600,
		});

		expect(result.failures).toEqual([]);
		expect(result.ok).toBe(true);
		expect(result.rush).toMatchObject({
			soldUnits: 100,
			confirmedUnits: 100,
			orders: 100,
			orderBookRows: 100,
		});
		expect(result.rush.orderBookCatchUpMs).not.toBeNull();
		expect(result.steady).toMatchObject({ soldUnits: 600, orders: 600, orderBookRows: 600 });

		const seen = new Set(result.rush.phases.flatMap((phase) => Object.keys(phase.outcomes)));
		// Early clicks, forged sessions, forged tokens, double clicks and the crowd after the last unit.
		for (const outcome of [
			"425 not_started",
			"401 unauthenticated",
			"403 invalid_token",
			"200",
			"201",
			"409 sold_out",
		]) {
			expect(seen).toContain(outcome);
		}
		expect(Object.keys(result.ratios)).toHaveLength(3);
	});

	it("sells whole orders only when a quantity does not divide the stock, behind Static Assets as deployed", async () => {
		const result = await runStampede({
			layout: "as-deployed",
			buyers: 1_000,
			stock: 101,
			concurrency: 100,
			quantity: 2,
			steadyBuyers: 200,
			referenceRequests: 200,
		});

		expect(result.failures).toEqual([]);
		expect(result.rush).toMatchObject({ expectedUnits: 100, soldUnits: 100, orders: 50, orderBookRows: 50 });
	});
});
