import { describe, expect, it, vi } from "vitest";
import type { Order } from "../../src/domain/order";
import { parseCsv } from "../support/parse-csv";
import { admin, Buyer, createSale, saleStats } from "./helpers";

/** What docs/API.md tells a program reading the export: drop one leading apostrophe. */
function readBack(field: string): string {
	return field.startsWith("'") ? field.slice(1) : field;
}

describe("the order book export, opened in a spreadsheet", () => {
	it("lets no buyer id run as a formula, and gives a program every id back exactly", async () => {
		const ids = [
			'=HYPERLINK("https://evil.example","click")',
			"+1+2",
			"-2+3",
			"@SUM(A1:A2)",
			"\tTAB=1",
			"'already-quoted",
			"plain-buyer",
		];
		const sale = await createSale("csv-formulas", { totalStock: ids.length });
		const orders: Order[] = [];
		for (const id of ids) {
			const response = await (await Buyer.named(id)).buy(sale.id);
			orders.push((await response.json<{ order: Order }>()).order);
		}
		await vi.waitFor(async () => expect((await saleStats(sale.id)).ordersRecorded).toBe(ids.length), {
			timeout: 20_000,
		});

		const records = parseCsv(await (await admin("GET", `/sales/${sale.id}/orders.csv`)).text()).slice(1);
		const userIds = records.map((record) => record[2] ?? "");
		for (const field of userIds) expect(field).not.toMatch(/^[=+\-@\t\r]/);
		expect(userIds.map(readBack).sort()).toEqual(orders.map((order) => order.userId).sort());
		expect(userIds).toContain("plain-buyer");
	});
});
