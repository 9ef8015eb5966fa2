import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { apiBuyer } from "./api-buyer";
import { snap, TEST_PAYMENTS, text, useShopAndBrowser, waitForText } from "./harness";

const ADMIN_TOKEN = process.env.ADMIN_TOKEN ?? "";
const HOUR_MS = 3_600_000;
/** Long enough to see the hold in the console before it expires, even on a busy machine. */
const HOLD_SECONDS = 15;

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

async function adminGet(
	pathname: string,
): Promise<{ sale: Record<string, unknown>; stats: Record<string, unknown> }> {
	const response = await fetch(`${fixture.shop.origin}${pathname}`, {
		headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
	});
	expect(response.status).toBe(200);
	return (await response.json()) as { sale: Record<string, unknown>; stats: Record<string, unknown> };
}

/** One size's row of the console: sold, confirmed, held, remaining. */
async function sizeRow(page: Page, sizeId: string): Promise<string[]> {
	return page.locator(`#size-rows tr[data-size='${sizeId}'] td`).allTextContents();
}

/** Fills the size rows, adding rows as needed. */
async function fillSizes(page: Page, sizes: [string, string, string][]): Promise<void> {
	for (const [index, [id, name, units]] of sizes.entries()) {
		if ((await page.locator(".size-row").count()) <= index) await page.click("#add-size");
		const row = page.locator(".size-row").nth(index);
		await row.locator(".size-id").fill(id);
		await row.locator(".size-name").fill(name);
		await row.locator(".size-totalStock").fill(units);
	}
}

describe("the admin console with sizes and holds", () => {
	it("sets up a sale with sizes, a picture and a hold, and follows its holds, payments and waitlist", async () => {
		const page = await signedInConsole();
		await page.click("#new-sale");
		await waitForText(page, "#editor-title", "New sale");
		const saleId = `console-sizes-${Date.now().toString(36)}`;
		await page.fill("#f-id", saleId);
		await page.fill("#f-name", "Sized Drop");
		await page.fill("#f-price", "129");
		await fillSizes(page, [
			["us-9", "US 9", "2"],
			["us-9", "US 10", "1"],
		]);
		expect(await page.getAttribute("#f-totalStock", "readonly")).not.toBeNull();
		expect(await page.inputValue("#f-totalStock")).toBe("3");
		await page.fill("#f-imageUrl", "http://images.example/drop.png");
		await page.fill("#f-holdSeconds", "3601");
		await page.fill("#f-startsAt", utcInput(Date.now() - 60_000));
		await page.fill("#f-endsAt", utcInput(Date.now() + HOUR_MS));
		await page.click("#save-sale");
		expect(await text(page, "#form-error")).toBe("Check the 3 highlighted fields.");
		expect(await text(page, "#f-sizes-error")).toBe("Size 2: another size has the id “us-9”.");
		expect(await text(page, "#f-imageUrl-error")).toBe(
			"Use an https: address of the picture, or leave it empty.",
		);
		expect(await text(page, "#f-holdSeconds-error")).toBe("Enter a whole number of seconds from 0 to 3,600.");
		expect(await page.evaluate<string>("document.activeElement?.getAttribute('aria-label') ?? ''")).toBe(
			"Size 1 id",
		);
		await snap(page, "admin-sizes-form-errors");

		await fillSizes(page, [
			["us-9", "US 9", "2"],
			["us-10", "US 10", "1"],
		]);
		await page.fill("#f-imageUrl", "https://images.example/drop.png");
		await page.fill("#f-holdSeconds", String(HOLD_SECONDS));
		await page.click("#save-sale");
		await waitForText(page, "#console-status", "Created “Sized Drop”.");
		await waitForText(page, "#live-badge", "Live");
		expect(await text(page, "#live-meta")).toBe(
			`${saleId} · $129.00 · at most 1 per buyer · held ${HOLD_SECONDS} seconds for payment · 2 sizes`,
		);
		expect((await adminGet(`/admin/sales/${saleId}`)).sale).toMatchObject({
			totalStock: 3,
			imageUrl: "https://images.example/drop.png",
			holdSeconds: HOLD_SECONDS,
			variants: [
				{ id: "us-9", name: "US 9", totalStock: 2, remaining: 2 },
				{ id: "us-10", name: "US 10", totalStock: 1, remaining: 1 },
			],
		});

		const [payer, canceller, holder, waiter] = await Promise.all(
			["payer", "canceller", "holder", "waiter"].map((name) => apiBuyer(fixture.shop, `${saleId}-${name}`)),
		);
		if (!payer || !canceller || !holder || !waiter) throw new Error("four buyers");
		await payer.buy(saleId, "us-9");
		await payer.pay(saleId);
		await canceller.buy(saleId, "us-9");
		await canceller.cancel(saleId);
		await holder.buy(saleId, "us-10");
		expect(await waiter.joinWaitlist(saleId, "us-10")).toBe(1);

		// From the console's own refreshes, before the hold runs out.
		await waitForText(page, "#stat-waitlist", "1");
		expect(await text(page, "#stat-held")).toBe("1");
		expect(await text(page, "#stat-confirmed")).toBe("1");
		expect(await text(page, "#stat-expired")).toBe("0");
		expect(await text(page, "#stat-cancelled")).toBe("1");
		expect(await text(page, "#stat-revenue")).toBe("$129.00");
		expect(await sizeRow(page, "us-9")).toEqual(["1", "1", "0", "1"]);
		expect(await sizeRow(page, "us-10")).toEqual(["1", "0", "1", "0"]);
		const { stats } = await adminGet(`/admin/sales/${saleId}`);
		expect(await page.isHidden("#refunds-pending-figure")).toBe(stats.refundsPending === undefined);
		await snap(page, "admin-holds-live");

		// The hold runs out; its unit goes to the waiting buyer, who pays.
		await expect
			.poll(async () => (await waiter.order(saleId))?.status, { timeout: 30_000, interval: 250 })
			.toBe("held");
		await waiter.pay(saleId);
		await waitForText(page, "#stat-revenue", "$258.00");
		expect(await text(page, "#stat-held")).toBe("0");
		expect(await text(page, "#stat-confirmed")).toBe("2");
		expect(await text(page, "#stat-expired")).toBe("1");
		expect(await text(page, "#stat-waitlist")).toBe("0");
		expect(await sizeRow(page, "us-10")).toEqual(["1", "1", "0", "0"]);
		await snap(page, "admin-holds-settled");
		await page.context().close();
	});

	it("opens a sale's sizes, picture and hold in the editor, and saves a size taken away", async () => {
		const saleId = await fixture.shop.createSale({
			startsAt: Date.now() + HOUR_MS,
			endsAt: Date.now() + 2 * HOUR_MS,
			totalStock: 3,
			variants: [
				{ id: "us-9", name: "US 9", totalStock: 2 },
				{ id: "us-10", name: "US 10", totalStock: 1 },
			],
			imageUrl: "https://images.example/edit.png",
			holdSeconds: 120,
		});
		const page = await signedInConsole();
		await page.evaluate(`location.hash = "#edit/${saleId}"`);
		await waitForText(page, "#editor-title", "Edit “Limited Sneaker”");
		const sizeIds = page.locator(".size-row .size-id");
		expect(await sizeIds.count()).toBe(2);
		expect([await sizeIds.nth(0).inputValue(), await sizeIds.nth(1).inputValue()]).toEqual(["us-9", "us-10"]);
		expect(await page.inputValue("#f-imageUrl")).toBe("https://images.example/edit.png");
		expect(await page.inputValue("#f-holdSeconds")).toBe("120");
		expect(await page.inputValue("#f-totalStock")).toBe("3");

		await page.click("button[aria-label='Remove size 2']");
		expect(await page.inputValue("#f-totalStock")).toBe("2");
		await page.click("#save-sale");
		await waitForText(page, "#console-status", "Saved the changes to “Limited Sneaker”.");
		expect((await adminGet(`/admin/sales/${saleId}`)).sale).toMatchObject({
			totalStock: 2,
			variants: [{ id: "us-9", name: "US 9", totalStock: 2, remaining: 2 }],
			holdSeconds: 120,
		});
		await page.context().close();
	});
});
