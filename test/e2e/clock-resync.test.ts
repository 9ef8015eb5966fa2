import path from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { IN_PAGE, newShopper, openSale, text, useShopAndBrowser } from "./harness";

const HOUR_MS = 3_600_000;
/** How long the device sleeps: long enough that no rounding can hide it. */
const SLEEP_MS = 10 * 60_000;

const fixture = useShopAndBrowser();

/** A shopper's page on a device that can be put to sleep (see in-page/sleeping-device.js). */
async function pageOnSleepyDevice(saleId: string): Promise<Page> {
	const shopper = await newShopper(fixture.browser);
	await shopper.addInitScript({ path: path.join(IN_PAGE, "sleeping-device.js") });
	const page = await shopper.newPage();
	await openSale(page, fixture.shop, saleId);
	return page;
}

/** The countdown as whole seconds: "01:59:58" is 7198. */
async function secondsShown(page: Page): Promise<number> {
	const shown = await text(page, "#countdown");
	const match = /^(\d\d):(\d\d):(\d\d)$/.exec(shown);
	if (!match) throw new Error(`not an hours countdown: ${shown}`);
	const [hours, minutes, seconds] = match.slice(1).map(Number) as [number, number, number];
	return hours * 3_600 + minutes * 60 + seconds;
}

/** How far the countdown is from the true time left until `moment`, in seconds. */
async function countdownError(page: Page, moment: number): Promise<number> {
	return Math.abs((await secondsShown(page)) - (moment - Date.now()) / 1_000);
}

async function sleepDevice(page: Page, ms: number): Promise<void> {
	await page.evaluate(`globalThis.sleepDevice(${ms})`);
}

describe("the page's clock after the device sleeps", () => {
	it("counts down to the true start again as soon as the page is shown again", async () => {
		const startsAt = Date.now() + 2 * HOUR_MS;
		const saleId = await fixture.shop.createSale({ startsAt, endsAt: startsAt + HOUR_MS });
		const page = await pageOnSleepyDevice(saleId);
		expect(await countdownError(page, startsAt)).toBeLessThan(2);

		await sleepDevice(page, SLEEP_MS);
		await page.evaluate(`document.dispatchEvent(new Event("visibilitychange"))`);
		await expect.poll(() => countdownError(page, startsAt), { timeout: 5_000 }).toBeLessThan(2);
		expect(await page.getAttribute("#buy", "aria-disabled")).toBe("true");
		await page.context().close();
	});

	it("notices from the sale's own answers that its clock fell behind, without being hidden", async () => {
		const endsAt = Date.now() + 2 * HOUR_MS;
		const saleId = await fixture.shop.createSale({ startsAt: Date.now() - HOUR_MS, endsAt });
		const page = await pageOnSleepyDevice(saleId);
		expect(await text(page, "#clock-label")).toBe("Ends in");
		expect(await countdownError(page, endsAt)).toBeLessThan(2);

		await sleepDevice(page, SLEEP_MS);
		// The live page asks for the sale every 1 to 2 s, and each answer carries
		// the server's time; by now it has asked again and redrawn the countdown.
		await page.waitForTimeout(2_500);
		await expect.poll(() => countdownError(page, endsAt), { timeout: 5_000 }).toBeLessThan(2);
		await page.context().close();
	});
});
