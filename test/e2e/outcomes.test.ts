import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	callsTo,
	newShopper,
	openSale,
	recordApiCalls,
	type Shop,
	snap,
	startShop,
	text,
	useShopAndBrowser,
	waitForOpen,
	waitForText,
} from "./harness";

const fixture = useShopAndBrowser();

/** A sale that is already live, so no test waits for a start. */
function liveSale(overrides: { totalStock?: number; endsAt?: number } = {}): Promise<string> {
	return fixture.shop.createSale({ startsAt: Date.now() - 1_000, ...overrides });
}

async function shopperOn(saleId: string): Promise<Page> {
	const page = await (await newShopper(fixture.browser)).newPage();
	await openSale(page, fixture.shop, saleId);
	return page;
}

/**
 * Answers the page's next request to `path` with a contract error, once,
 * at the browser's network boundary; later requests reach the Worker.
 */
async function answerOnce(page: Page, path: string, status: number, code: string, retryAfter?: number) {
	let answered = false;
	await page.route(`**${path}`, async (route) => {
		if (answered || route.request().method() !== "POST") return route.continue();
		answered = true;
		await route.fulfill({
			status,
			contentType: "application/json",
			headers: retryAfter === undefined ? {} : { "retry-after": String(retryAfter) },
			body: JSON.stringify({ error: { code, message: `stubbed ${code}` } }),
		});
	});
}

describe("every outcome has its own message", () => {
	it("sells the last unit to one of two shoppers pressing together and tells the other it is sold out", async () => {
		const saleId = await fixture.shop.createSale({ totalStock: 1, startsAt: Date.now() + 3_000 });
		const pages = [await shopperOn(saleId), await shopperOn(saleId)];
		const calls = pages.map(recordApiCalls);
		await Promise.all(pages.map((page) => waitForOpen(page)));
		await Promise.all(pages.map((page) => page.click("#buy")));
		await Promise.all(
			pages.map((page) => page.waitForSelector("#status[data-tone='success'], #status[data-tone='error']")),
		);

		const statuses = await Promise.all(pages.map((page) => text(page, "#status")));
		expect([...statuses].sort()).toEqual([
			"Sold out. Every unit has been taken.",
			"You got it! Your order is confirmed.",
		]);
		expect(await fixture.shop.soldCount(saleId)).toBe(1);
		const loser = pages[statuses.indexOf("Sold out. Every unit has been taken.")] as Page;
		const loserCalls = calls[pages.indexOf(loser)] ?? [];
		expect(await text(loser, "#sale-badge")).toBe("Sold out");
		expect(await loser.isHidden("#buy")).toBe(true);
		await snap(loser, "sold-out-pressed");

		// Nothing can change any more, so the page stops asking. The longest
		// gap between two polls is 2 s; watch for longer than that.
		const pollsBefore = callsTo(loserCalls, "GET", `/api/sales/${saleId}`).length;
		await loser.waitForTimeout(2_500);
		expect(callsTo(loserCalls, "GET", `/api/sales/${saleId}`)).toHaveLength(pollsBefore);

		const latecomer = await shopperOn(saleId);
		expect(await text(latecomer, "#sale-badge")).toBe("Sold out");
		expect(await text(latecomer, "#status")).toBe("Sold out. Every unit has been taken.");
		expect(await latecomer.isHidden("#buy")).toBe(true);
		await snap(latecomer, "sold-out-on-arrival");
	});

	it("refreshes the stock during the sale at most once a second", async () => {
		const saleId = await liveSale({ totalStock: 3 });
		const watcher = await shopperOn(saleId);
		const calls = recordApiCalls(watcher);
		const buyer = await shopperOn(saleId);
		await buyer.click("#buy");
		await buyer.waitForSelector("#order:not([hidden])");

		await waitForText(watcher, "#sale-stock", "2 of 3");
		await expect
			.poll(() => callsTo(calls, "GET", `/api/sales/${saleId}`).length, { timeout: 10_000 })
			.toBeGreaterThanOrEqual(3);
		const polls = callsTo(calls, "GET", `/api/sales/${saleId}`);
		const gaps = polls.slice(1).map((poll, index) => poll.at - (polls[index] as { at: number }).at);
		expect(gaps.length).toBeGreaterThanOrEqual(2);
		// The page waits at least 1 s after each answer; 50 ms covers how late
		// the browser may report a request to this test process.
		for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(950);
	});

	it("waits out a 429 with its Retry-After, shows the wait, and retries by itself", async () => {
		const saleId = await liveSale();
		const page = await shopperOn(saleId);
		const calls = recordApiCalls(page);
		await answerOnce(page, "/purchase-token", 429, "rate_limited", 2);
		await page.click("#buy");

		await waitForText(page, "#status-detail", /^Retrying in/);
		expect(await text(page, "#status")).toBe("Too many requests right now. Trying again by itself shortly.");
		expect(await text(page, "#status-detail")).toMatch(/^Retrying in [1-3] s$/);
		expect(await page.getAttribute("#buy", "aria-busy")).toBe("true");
		await snap(page, "rate-limited-waiting");

		await page.waitForSelector("#order:not([hidden])");
		expect(await text(page, "#status")).toBe("You got it! Your order is confirmed.");
		const tokenCalls = callsTo(calls, "POST", "/purchase-token");
		expect(tokenCalls).toHaveLength(2);
		const [first, second] = tokenCalls.map((call) => call.at);
		expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(1_950);
		expect(callsTo(calls, "POST", "/purchase")).toHaveLength(1);
	});

	it("waits out an overloaded sale and retries the purchase with the same token", async () => {
		const saleId = await liveSale();
		const page = await shopperOn(saleId);
		const calls = recordApiCalls(page);
		await answerOnce(page, "/purchase", 503, "overloaded", 1);
		await page.click("#buy");

		await waitForText(page, "#status", /very busy/);
		expect(await text(page, "#status")).toBe(
			"The sale is very busy right now. Nothing was taken. Trying again by itself shortly.",
		);
		await snap(page, "overloaded-waiting");
		await page.waitForSelector("#order:not([hidden])");
		expect(callsTo(calls, "POST", "/purchase-token")).toHaveLength(1);
		expect(callsTo(calls, "POST", "/purchase")).toHaveLength(2);
		expect(await fixture.shop.soldCount(saleId)).toBe(1);
	});

	it("asks the shopper to redo the bot check when it fails, then buys", async () => {
		const saleId = await liveSale();
		const page = await shopperOn(saleId);
		await answerOnce(page, "/purchase-token", 403, "bot_check_failed");
		await page.click("#buy");

		await page.waitForSelector("#status[data-tone='error']");
		expect(await text(page, "#status")).toBe(
			"The bot check did not pass. Please complete it again, then press Buy now.",
		);
		expect(await page.getAttribute("#buy", "aria-disabled")).toBe("false");
		await snap(page, "bot-check-failed");
		await page.click("#buy");
		await page.waitForSelector("#order:not([hidden])");
	});

	it("says so when the network fails, and a second press reuses the purchase token", async () => {
		const saleId = await liveSale();
		const page = await shopperOn(saleId);
		const calls = recordApiCalls(page);
		let failed = false;
		await page.route("**/purchase", (route) => {
			if (failed) return route.continue();
			failed = true;
			return route.abort("internetdisconnected");
		});
		await page.click("#buy");

		await page.waitForSelector("#status[data-tone='error']");
		expect(await text(page, "#status")).toBe(
			"Network problem: your request did not reach us. Check your connection and press Buy now again.",
		);
		await snap(page, "network-failure");
		await page.click("#buy");
		await page.waitForSelector("#order:not([hidden])");
		expect(callsTo(calls, "POST", "/purchase-token")).toHaveLength(1);
		expect(callsTo(calls, "POST", "/purchase")).toHaveLength(2);
	});

	it("holds a press that reached the server a hair before its start, then sends it again", async () => {
		const saleId = await liveSale();
		const page = await shopperOn(saleId);
		const calls = recordApiCalls(page);
		let answered = false;
		await page.route("**/purchase-token", async (route) => {
			if (answered) return route.continue();
			answered = true;
			await route.fulfill({
				status: 425,
				contentType: "application/json",
				body: JSON.stringify({
					error: { code: "not_started", message: "stubbed", startsAt: Date.now() + 300 },
				}),
			});
		});
		await page.click("#buy");
		await page.waitForSelector("#order:not([hidden])");
		expect(callsTo(calls, "POST", "/purchase-token")).toHaveLength(2);
		expect(callsTo(calls, "POST", "/purchase")).toHaveLength(1);
	});

	it("tells a shopper who pressed a moment too late that the sale has ended", async () => {
		const saleId = await liveSale();
		const page = await shopperOn(saleId);
		await answerOnce(page, "/purchase-token", 410, "ended");
		await page.click("#buy");
		await page.waitForSelector("#status[data-tone='error']");
		expect(await text(page, "#status")).toBe("Too late: this sale has ended.");
		expect(await text(page, "#sale-badge")).toBe("Ended");
		expect(await page.isHidden("#buy")).toBe(true);
	});

	it("closes the sale at its end", async () => {
		// Long enough for the page to load and show the sale live first.
		const saleId = await liveSale({ endsAt: Date.now() + 5_000 });
		const page = await shopperOn(saleId);
		expect(await text(page, "#clock-label")).toBe("Ends in");
		await waitForText(page, "#sale-badge", "Ended");
		expect(await text(page, "#status")).toBe("This sale has ended.");
		expect(await page.isHidden("#buy")).toBe(true);
		await snap(page, "ended");
	});
});

describe("with a real Turnstile site key and no way to load Turnstile", () => {
	let realKeyShop: Shop;

	beforeAll(async () => {
		realKeyShop = await startShop({ TURNSTILE_SITE_KEY: "0x4AAAAAAADoorbusterExampleKey" });
	});

	afterAll(async () => {
		await realKeyShop?.close();
	});

	it("says the bot check is unavailable and never lets a press through", async () => {
		const saleId = await realKeyShop.createSale({ startsAt: Date.now() - 1_000 });
		const page = await (await newShopper(fixture.browser)).newPage();
		const calls = recordApiCalls(page);
		await openSale(page, realKeyShop, saleId);
		await page.waitForSelector("#status[data-tone='error']");

		expect(await text(page, "#status")).toBe(
			"The bot check is unavailable, so buying is not possible right now. Please reload the page later.",
		);
		expect(await page.getAttribute("#buy", "aria-disabled")).toBe("true");
		await page.click("#buy", { force: true });
		await page.evaluate(() => fetch("/api/time"));
		expect(calls.filter((call) => call.method === "POST")).toEqual([]);
		await snap(page, "bot-check-unavailable");
	});
});
