import { describe, expect, it } from "vitest";
import { renderMetrics } from "../../src/metrics";
import { csvRecord } from "../../src/order-book/csv";

describe("CSV records", () => {
	it("quotes only fields that need it, doubles quotes and ends with CRLF", () => {
		expect(csvRecord(["a", 1, "b c"])).toBe("a,1,b c\r\n");
		expect(csvRecord(['say "hi"'])).toBe('"say ""hi"""\r\n');
		expect(csvRecord(["a,b", "line\nbreak", "cr\rhere", ""])).toBe('"a,b","line\nbreak","cr\rhere",\r\n');
	});
});

describe("Prometheus metrics", () => {
	it("writes HELP and TYPE once per family and escapes label values", () => {
		const text = renderMetrics([
			{
				saleId: "drop-1",
				up: true,
				sold: 3,
				remaining: 7,
				ordersPending: 1,
				heldUnits: 0,
				revenueCents: 0,
				outcomes: { confirmed: 3, sold_out: 0 },
			},
			{
				saleId: 'we"ird\\id',
				up: true,
				sold: 0,
				remaining: 5,
				ordersPending: 0,
				heldUnits: 0,
				revenueCents: 0,
				outcomes: { confirmed: 0 },
			},
		]);
		const lines = text.trimEnd().split("\n");
		expect(lines.filter((line) => line === "# TYPE doorbuster_units_sold gauge")).toHaveLength(1);
		expect(lines).toContain("# TYPE doorbuster_purchase_outcomes_total counter");
		expect(lines).toContain('doorbuster_units_sold{sale="drop-1"} 3');
		expect(lines).toContain('doorbuster_units_remaining{sale="drop-1"} 7');
		expect(lines).toContain('doorbuster_orders_pending{sale="drop-1"} 1');
		expect(lines).toContain('doorbuster_purchase_outcomes_total{sale="drop-1",outcome="sold_out"} 0');
		expect(lines).toContain('doorbuster_units_sold{sale="we\\"ird\\\\id"} 0');
		expect(text.endsWith("\n")).toBe(true);
		for (const line of lines.filter((line) => !line.startsWith("#"))) {
			expect(line).toMatch(/^[a-z_]+\{[a-z_]+="(?:[^"\\]|\\.)*"(?:,[a-z_]+="(?:[^"\\]|\\.)*")*\} \d+$/);
		}
	});

	it("labels each shard's figures with its sale and number, for sharded sales only", () => {
		const figures = { up: true, ordersPending: 0, heldUnits: 0, revenueCents: 0, outcomes: {} } as const;
		const text = renderMetrics([
			{
				...figures,
				saleId: 'big"drop',
				sold: 9,
				remaining: 91,
				shards: [
					{ remaining: 20, sold: 5, held: 1 },
					{ remaining: 25, sold: 0, held: 0 },
					{ remaining: 21, sold: 4, held: 2 },
				],
				coordinatorRequests: 17,
			},
			{ ...figures, saleId: "small-drop", sold: 1, remaining: 4 },
		]);
		const lines = text.trimEnd().split("\n");
		for (const family of ["shard_units_remaining", "shard_units_sold", "shard_units_held"]) {
			expect(lines).toContain(`# TYPE doorbuster_${family} gauge`);
			expect(lines.filter((line) => line.startsWith(`doorbuster_${family}{`))).toHaveLength(3);
		}
		expect(lines).toContain('doorbuster_shard_units_remaining{sale="big\\"drop",shard="0"} 20');
		expect(lines).toContain('doorbuster_shard_units_sold{sale="big\\"drop",shard="2"} 4');
		expect(lines).toContain('doorbuster_shard_units_held{sale="big\\"drop",shard="2"} 2');
		expect(lines).toContain('doorbuster_shard_units_remaining{sale="big\\"drop",shard="1"} 25');
		expect(lines).toContain("# TYPE doorbuster_coordinator_requests_total counter");
		expect(lines).toContain('doorbuster_coordinator_requests_total{sale="big\\"drop"} 17');
		expect(text).not.toMatch(/^doorbuster_(shard|coordinator)_[a-z_]+\{sale="small-drop"/m);
	});
});
