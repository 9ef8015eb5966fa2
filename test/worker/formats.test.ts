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
});
