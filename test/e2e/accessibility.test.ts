import { AxeBuilder } from "@axe-core/playwright";
import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { DRAW_VARS, newShopper, openSale, useShopAndBrowser, waitForOpen, waitForText } from "./harness";

const HOUR_MS = 3_600_000;

/** WCAG 2.1 levels A and AA, the bar the pages are held to. */
const WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const COLOR_SCHEMES = ["light", "dark"] as const;
type ColorScheme = (typeof COLOR_SCHEMES)[number];

// With the offline payment provider and draw beacon, so that the states of a
// sale with holds and of a draw can be audited too.
const fixture = useShopAndBrowser(DRAW_VARS);

/** Every WCAG 2.1 AA violation axe finds on the page as it stands, one line each. */
async function violations(page: Page): Promise<string[]> {
	const results = await new AxeBuilder({ page }).withTags(WCAG_21_AA).analyze();
	return results.violations.flatMap((violation) =>
		violation.nodes.map((node) => `${violation.id} (${violation.impact}): ${node.target.join(" ")}`),
	);
}

async function shopperPage(browser: Browser, colorScheme: ColorScheme): Promise<Page> {
	const context = await newShopper(browser);
	const page = await context.newPage();
	await page.emulateMedia({ colorScheme });
	return page;
}

describe.each(COLOR_SCHEMES)("an accessibility audit (WCAG 2.1 AA, %s colours)", (colorScheme) => {
	it("finds nothing on the front page", async () => {
		await fixture.shop.createSale({ name: "Live Drop", startsAt: Date.now() - 1_000 });
		const later = Date.now() + HOUR_MS;
		await fixture.shop.createSale({ name: "Later Drop", startsAt: later, endsAt: later + HOUR_MS });
		const page = await shopperPage(fixture.browser, colorScheme);
		await page.goto(fixture.shop.origin);
		await page.waitForSelector("#sales[aria-busy='false']");
		await page.locator(".badge[data-tone='live']").first().waitFor();
		expect(await violations(page)).toEqual([]);
		await page.context().close();
	});

	it("finds nothing on a sale page before, during and after the sale", async () => {
		const later = Date.now() + HOUR_MS;
		const upcoming = await fixture.shop.createSale({
			startsAt: later,
			endsAt: later + HOUR_MS,
			maxPerUser: 2,
		});
		const live = await fixture.shop.createSale({ startsAt: Date.now() - 1_000, totalStock: 1 });
		const page = await shopperPage(fixture.browser, colorScheme);

		await openSale(page, fixture.shop, upcoming);
		expect(await violations(page)).toEqual([]);

		await openSale(page, fixture.shop, live);
		await waitForOpen(page);
		await waitForText(page, "#sale-badge", "Live now");
		expect(await violations(page)).toEqual([]);

		await page.click("#buy");
		await page.waitForSelector("#order:not([hidden])");
		expect(await violations(page)).toEqual([]);

		const latecomer = await shopperPage(fixture.browser, colorScheme);
		await openSale(latecomer, fixture.shop, live);
		await waitForText(latecomer, "#sale-badge", "Sold out");
		expect(await violations(latecomer)).toEqual([]);
		await page.context().close();
		await latecomer.context().close();
	});

	it("finds nothing on a sale page with sizes and holds: picking, held, waiting in line, paid", async () => {
		const saleId = await fixture.shop.createSale({
			startsAt: Date.now() - 1_000,
			totalStock: 3,
			variants: [
				{ id: "us-9", name: "US 9", totalStock: 2 },
				{ id: "us-10", name: "US 10", totalStock: 1 },
			],
			holdSeconds: 120,
		});
		const holder = await shopperPage(fixture.browser, colorScheme);
		await openSale(holder, fixture.shop, saleId);
		await holder.click(".size[data-variant='us-10']");
		await waitForOpen(holder);
		expect(await violations(holder)).toEqual([]);
		await holder.click("#buy");
		await holder.waitForSelector("#hold:not([hidden])");
		expect(await violations(holder)).toEqual([]);

		const waiter = await shopperPage(fixture.browser, colorScheme);
		await openSale(waiter, fixture.shop, saleId);
		await waiter.click(".size[data-variant='us-10']");
		await waitForText(waiter, "#buy", "Join the waitlist");
		await waitForOpen(waiter);
		expect(await violations(waiter)).toEqual([]);
		await waiter.click("#buy");
		await waiter.waitForSelector("#waitlist:not([hidden])");
		expect(await violations(waiter)).toEqual([]);

		await holder.click("#order #pay");
		await holder.waitForURL("**/pay/test?**");
		expect(await violations(holder)).toEqual([]);
		await holder.click("#pay");
		await waitForText(holder, "#status", "Paid. Your order is confirmed.");
		expect(await violations(holder)).toEqual([]);

		const context = await fixture.browser.newContext({ viewport: { width: 1280, height: 860 } });
		const admin = await context.newPage();
		await admin.emulateMedia({ colorScheme });
		await admin.goto(`${fixture.shop.origin}/admin/#sale/${saleId}`);
		await admin.fill("#token", process.env.ADMIN_TOKEN ?? "");
		await admin.click("#sign-in-button");
		await admin.waitForSelector("#hold-figures:not([hidden])");
		await admin.waitForSelector("#size-figures:not([hidden])");
		expect(await violations(admin)).toEqual([]);
		await admin.click("#new-sale");
		await admin.click("#add-size");
		expect(await violations(admin)).toEqual([]);
		await holder.context().close();
		await waiter.context().close();
		await context.close();
	});

	it("finds nothing on a draw sale's page: entered, then won and not won", async () => {
		// One unit and two entrants: one wins, the other does not.
		const saleId = await fixture.shop.createSale({
			mode: "draw",
			startsAt: Date.now() - 1_000,
			endsAt: Date.now() + 10_000,
			totalStock: 1,
			variants: [{ id: "us-10", name: "US 10", totalStock: 1 }],
			holdSeconds: 120,
		});
		const pages = [
			await shopperPage(fixture.browser, colorScheme),
			await shopperPage(fixture.browser, colorScheme),
		];
		for (const page of pages) {
			await openSale(page, fixture.shop, saleId);
			await page.click(".size[data-variant='us-10']");
			await waitForOpen(page);
			await page.click("#buy");
			await page.waitForSelector("#draw-entry:not([hidden])");
		}
		expect(await violations(pages[0] as Page)).toEqual([]);
		for (const page of pages) {
			await page.locator("#draw-outcome:not([hidden])").waitFor({ timeout: 30_000 });
			expect(await violations(page)).toEqual([]);
			await page.context().close();
		}
	});

	it("finds nothing in the admin console: signed out, the list, a live sale and the editor", async () => {
		const saleId = await fixture.shop.createSale({ name: "Console Drop", startsAt: Date.now() - 1_000 });
		const context = await fixture.browser.newContext({ viewport: { width: 1280, height: 860 } });
		const page = await context.newPage();
		await page.emulateMedia({ colorScheme });
		await page.goto(`${fixture.shop.origin}/admin/`);
		await page.waitForSelector("#sign-in:not([hidden])");
		expect(await violations(page)).toEqual([]);

		await page.fill("#token", process.env.ADMIN_TOKEN ?? "");
		await page.click("#sign-in-button");
		await page.locator(".sale-row", { hasText: saleId }).waitFor();
		await page.click(`.sale-row[href="#sale/${saleId}"]`);
		await waitForText(page, "#live-badge", "Live");
		await page.waitForSelector("#live[aria-busy='false']");
		expect(await violations(page)).toEqual([]);

		await page.click("#new-sale");
		await waitForText(page, "#editor-title", "New sale");
		await page.click("#save-sale");
		await waitForText(page, "#form-error", /^Check the/);
		expect(await violations(page)).toEqual([]);
		await context.close();
	});

	it("finds nothing on a sharded sale's live panel: the shards' table and the coordinator's figures", async () => {
		const saleId = await fixture.shop.createSale({
			name: "Sharded Drop",
			startsAt: Date.now() - 1_000,
			shards: 4,
		});
		const context = await fixture.browser.newContext({ viewport: { width: 1280, height: 860 } });
		const page = await context.newPage();
		await page.emulateMedia({ colorScheme });
		await page.goto(`${fixture.shop.origin}/admin/#sale/${saleId}`);
		await page.fill("#token", process.env.ADMIN_TOKEN ?? "");
		await page.click("#sign-in-button");
		await page.waitForSelector("#shard-figures:not([hidden])");
		await page.waitForSelector("#shard-rows tr");
		expect(await violations(page)).toEqual([]);
		await context.close();
	});
});
