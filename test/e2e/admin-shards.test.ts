import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { shardOf } from "../../src/domain/shards";
import { apiBuyer } from "./api-buyer";
import { snap, TEST_PAYMENTS, text, useShopAndBrowser, waitForText } from "./harness";

const ADMIN_TOKEN = process.env.ADMIN_TOKEN ?? "";
const HOUR_MS = 3_600_000;
const SHARDS = 4;

const fixture = useShopAndBrowser(TEST_PAYMENTS);

/** The console in a browser on UTC, signed in. */
async function signedInConsole(): Promise<Page> {
	const context = await fixture.browser.newContext({
		viewport: { width: 1280, height: 860 },
		locale: "en-US",
		timezoneId: "UTC",
	});
	const page = await context.newPage();
	await page.goto(`${fixture.shop.origin}/admin/`);
	await page.fill("#token", ADMIN_TOKEN);
	await page.click("#sign-in-button");
	await page.waitForSelector("#workspace:not([hidden])");
	return page;
}

/** What a `datetime-local` input shows for a moment on UTC. */
function utcInput(epochMs: number): string {
	return new Date(epochMs).toISOString().slice(0, 19);
}

async function adminSale(
	saleId: string,
): Promise<{ sale: { shards: number; relays: number }; stats: Record<string, unknown> }> {
	const response = await fetch(`${fixture.shop.origin}/admin/sales/${saleId}`, {
		headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
	});
	expect(response.status).toBe(200);
	return (await response.json()) as {
		sale: { shards: number; relays: number };
		stats: Record<string, unknown>;
	};
}

/** Each shard's row of the console: its name, then sold, held, remaining. */
async function shardRows(page: Page): Promise<string[][]> {
	const rows: string[][] = [];
	for (const row of await page.locator("#shard-rows tr").all()) {
		rows.push([
			(await row.locator("th").textContent()) ?? "",
			...(await row.locator("td.count").allTextContents()),
		]);
	}
	return rows;
}

/** Fills the new-sale form with a small live sale, leaving the shards to the caller. */
async function fillNewSale(page: Page, saleId: string, opensAt: number): Promise<void> {
	await page.click("#new-sale");
	await waitForText(page, "#editor-title", "New sale");
	await page.fill("#f-id", saleId);
	await page.fill("#f-name", "Sharded Drop");
	await page.fill("#f-price", "129");
	await page.fill("#f-totalStock", "40");
	await page.fill("#f-holdSeconds", "120");
	await page.fill("#f-startsAt", utcInput(opensAt));
	await page.fill("#f-endsAt", utcInput(opensAt + HOUR_MS));
}

describe("the admin console with shards", () => {
	it("takes the shards in the editor, 1 to 64, and says how to choose them", async () => {
		const page = await signedInConsole();
		await fillNewSale(page, `console-k-${Date.now().toString(36)}`, Date.now() + HOUR_MS);
		expect(await page.inputValue("#f-shards")).toBe("1");
		expect((await text(page, "#f-shards-hint")).replace(/\s+/g, " ")).toMatch(
			/about 1,000 purchases a second: take at least the buyers expected in the busiest second ÷ 1,000/,
		);
		for (const wrong of ["0", "65", "2.5"]) {
			await page.fill("#f-shards", wrong);
			await page.click("#save-sale");
			expect(await text(page, "#f-shards-error")).toBe("Enter a whole number of shards from 1 to 64.");
			expect(await page.getAttribute("#f-shards", "aria-invalid")).toBe("true");
			expect(await page.evaluate<string>("document.activeElement?.id ?? ''")).toBe("f-shards");
		}
		await page.context().close();
	});

	it("takes relays per shard in the editor, 0 to 8, and keeps them when the sale is edited", async () => {
		const page = await signedInConsole();
		const saleId = `console-relays-${Date.now().toString(36)}`;
		await fillNewSale(page, saleId, Date.now() + HOUR_MS);
		expect(await page.inputValue("#f-relays")).toBe("0");
		expect((await text(page, "#f-relays-hint")).replace(/\s+/g, " ")).toMatch(
			/above shards × 1,000 a second/,
		);
		for (const wrong of ["-1", "9", "1.5"]) {
			await page.fill("#f-relays", wrong);
			await page.click("#save-sale");
			expect(await text(page, "#f-relays-error")).toBe("Enter a whole number of relays from 0 to 8.");
			expect(await page.getAttribute("#f-relays", "aria-invalid")).toBe("true");
		}
		await page.fill("#f-shards", "2");
		await page.fill("#f-relays", "3");
		await page.click("#save-sale");
		await waitForText(page, "#live-name", "Sharded Drop");
		expect((await adminSale(saleId)).sale).toMatchObject({ shards: 2, relays: 3 });
		await page.click("#edit-sale");
		await waitForText(page, "#editor-title", "Edit “Sharded Drop”");
		expect(await page.inputValue("#f-relays")).toBe("3");
		await page.context().close();
	});

	it("sets up a sale over 4 shards and shows each shard's figures and the coordinator's requests", async () => {
		const page = await signedInConsole();
		const saleId = `console-shards-${Date.now().toString(36)}`;
		await fillNewSale(page, saleId, Date.now() + HOUR_MS);
		await page.fill("#f-shards", String(SHARDS));
		await page.click("#save-sale");
		await waitForText(page, "#live-name", "Sharded Drop");
		expect((await adminSale(saleId)).sale.shards).toBe(SHARDS);
		expect(await text(page, "#live-meta")).toContain("4 shards");
		// Not started: nothing to show per shard yet, and the editor keeps the shards.
		await page.click("#edit-sale");
		await waitForText(page, "#editor-title", "Edit “Sharded Drop”");
		expect(await page.inputValue("#f-shards")).toBe(String(SHARDS));
		await page.fill("#f-startsAt", utcInput(Date.now() - 1_000));
		await page.click("#save-sale");
		await waitForText(page, "#live-badge", "Live");
		expect((await adminSale(saleId)).sale.shards).toBe(SHARDS);

		const buyers = await Promise.all(
			Array.from({ length: 8 }, (_, i) => apiBuyer(fixture.shop, `shard-watcher-${i}`)),
		);
		const sold = Array.from({ length: SHARDS }, () => 0);
		const held = Array.from({ length: SHARDS }, () => 0);
		for (const [i, buyer] of buyers.entries()) {
			await buyer.buy(saleId);
			const shard = shardOf(saleId, buyer.userId, SHARDS);
			sold[shard] = (sold[shard] ?? 0) + 1;
			// Every other buyer pays, so the held column differs from the sold one.
			if (i % 2 === 0) await buyer.pay(saleId);
			else held[shard] = (held[shard] ?? 0) + 1;
		}

		// The console has not been reloaded: these come from its own refreshes.
		await page.waitForSelector("#shard-figures:not([hidden])");
		await expect
			.poll(async () => (await shardRows(page)).map(([name, s, h]) => [name, s, h]), { timeout: 20_000 })
			.toEqual(sold.map((units, shard) => [`Shard ${shard}`, String(units), String(held[shard])]));
		// Shards may still lease units in the background: compare with the stats of the same moment.
		const remainingShown = async () => {
			const { stats } = await adminSale(saleId);
			const shards = stats.shards as { remaining: number }[];
			const lent = shards.reduce((sum, shard) => sum + shard.remaining, 0);
			const api = [...shards.map((shard) => String(shard.remaining)), String(Number(stats.remaining) - lent)];
			const shown = [...(await shardRows(page)).map((row) => row[3]), await text(page, "#stat-pool")];
			return shown.join() === api.join() ? "as the API" : shown;
		};
		await expect.poll(remainingShown, { timeout: 20_000 }).toBe("as the API");
		expect(await text(page, "#stat-shards")).toBe("4");
		expect(Number(await text(page, "#stat-coordinator-requests"))).toBeGreaterThanOrEqual(SHARDS);
		await snap(page, "admin-shards");

		// A sale of one shard has no shard figures.
		const single = await fixture.shop.createSale({ name: "One Shard", startsAt: Date.now() - 1_000 });
		await page.evaluate(`location.hash = "#sale/${single}"`);
		await waitForText(page, "#live-name", "One Shard");
		await page.waitForSelector("#live[aria-busy='false']");
		expect(await page.isHidden("#shard-figures")).toBe(true);
		expect(await text(page, "#live-meta")).not.toContain("shard");
		await page.context().close();
	});
});
