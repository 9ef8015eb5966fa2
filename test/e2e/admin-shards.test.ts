import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { TEST_PAYMENTS, text, useShopAndBrowser, waitForText } from "./harness";

const ADMIN_TOKEN = process.env.ADMIN_TOKEN ?? "";
const HOUR_MS = 3_600_000;

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
});
