import path from "node:path";
import { describe, expect, it } from "vitest";
import {
	callsTo,
	cspViolations,
	IN_PAGE,
	newShopper,
	openSale,
	orderOf,
	recordApiCalls,
	snap,
	text,
	useShopAndBrowser,
	waitForOpen,
} from "./harness";

/** Time for a page to load and show the countdown before the sale opens, even on a busy machine. */
const PRE_START_MS = 8_000;

const fixture = useShopAndBrowser();

describe("the countdown page", () => {
	it("counts down in tenths, opens at the start, and one double click buys exactly once", async () => {
		const name = `<img src=x onerror="window.injected=true">Sneaker <b>Drop</b>`;
		const saleId = await fixture.shop.createSale({
			name,
			description: "<script>alert(1)</script> Size 42",
			startsAt: Date.now() + PRE_START_MS,
		});
		const shopper = await newShopper(fixture.browser);
		const page = await shopper.newPage();
		const calls = recordApiCalls(page);
		await openSale(page, fixture.shop, saleId);

		expect(await text(page, "h1")).toBe(name);
		expect(await page.locator("h1 img, h1 b, #sale-description script").count()).toBe(0);
		expect(await text(page, "#sale-price")).toBe("$129.00");
		expect(await text(page, "#sale-stock")).toBe("10 of 10");
		expect(await page.getAttribute("#buy", "aria-disabled")).toBe("true");
		expect(await text(page, "#countdown")).toMatch(/^00:0\d\.\d$/);
		expect(await text(page, "#bot-check-note")).toContain("offline test mode");
		expect(await page.getAttribute("#status", "aria-live")).toBe("polite");
		// Guest sign-in happens by itself, before the start.
		await expect.poll(() => callsTo(calls, "POST", "/api/session").length).toBe(1);
		expect(callsTo(calls, "GET", "/api/time").length).toBeGreaterThanOrEqual(3);
		await snap(page, "countdown-last-minute");

		await waitForOpen(page);
		expect(await text(page, "#status")).toBe("The sale is open. You can buy now.");
		await page.dblclick("#buy");
		await page.waitForSelector("#order:not([hidden])");

		expect(await text(page, "#status")).toBe("You got it! Your order is confirmed.");
		const order = await orderOf(page, fixture.shop, saleId);
		expect(await text(page, "#order-id")).toBe(order.id);
		expect(await text(page, "#order-quantity")).toBe("1");
		expect(await text(page, "#order-total")).toBe("$129.00");
		expect(await text(page, "#sale-stock")).toBe("9 of 10");
		expect(callsTo(calls, "POST", "/purchase-token")).toHaveLength(1);
		expect(callsTo(calls, "POST", "/purchase")).toHaveLength(1);
		expect(await fixture.shop.soldCount(saleId)).toBe(1);
		expect(await page.evaluate<boolean>("'injected' in globalThis")).toBe(false);
		expect(await cspViolations(page)).toEqual([]);
		await snap(page, "confirmed");

		await page.reload();
		await page.waitForSelector("#order:not([hidden])");
		expect(await text(page, "#order-id")).toBe(order.id);
		expect(await text(page, "#status")).toBe("You already have an order in this sale.");
		expect(await page.isHidden("#purchase")).toBe(true);
		await snap(page, "reloaded-with-order");

		const secondTab = await shopper.newPage();
		await openSale(secondTab, fixture.shop, saleId);
		await secondTab.waitForSelector("#order:not([hidden])");
		expect(await text(secondTab, "#order-id")).toBe(order.id);
		await shopper.close();
	});

	it("gives a second tab of the same shopper the existing order, not a second one", async () => {
		const saleId = await fixture.shop.createSale({ totalStock: 5, maxPerUser: 2 });
		const shopper = await newShopper(fixture.browser);
		const first = await shopper.newPage();
		await openSale(first, fixture.shop, saleId);
		const second = await shopper.newPage();
		await openSale(second, fixture.shop, saleId);
		expect(await second.isVisible("#quantity")).toBe(true);

		await waitForOpen(first);
		await first.selectOption("#quantity", "2");
		await first.click("#buy");
		await first.waitForSelector("#order:not([hidden])");
		const order = await orderOf(first, fixture.shop, saleId);
		expect(order.quantity).toBe(2);
		expect(await text(first, "#order-total")).toBe("$258.00");

		// The second tab still shows the Buy button from before the purchase.
		await waitForOpen(second);
		await second.click("#buy");
		await second.waitForSelector("#order:not([hidden])");
		expect(await text(second, "#status")).toBe(
			"You already have an order in this sale, so nothing more was bought.",
		);
		expect(await text(second, "#order-id")).toBe(order.id);
		expect(await fixture.shop.soldCount(saleId)).toBe(2);
		await snap(second, "second-tab-existing-order");
		await shopper.close();
	});

	it("keeps the Buy button shut before the start; a press sends nothing", async () => {
		const startsAt = Date.now() + 2 * 3_600_000;
		const saleId = await fixture.shop.createSale({ startsAt, endsAt: startsAt + 3_600_000 });
		const shopper = await newShopper(fixture.browser);
		const page = await shopper.newPage();
		const calls = recordApiCalls(page);
		await openSale(page, fixture.shop, saleId);

		expect(await text(page, "#countdown")).toMatch(/^0[12]:\d\d:\d\d$/);
		expect(await text(page, "#clock-label")).toBe("Opens in");
		expect(await text(page, "#sale-badge")).toBe("Upcoming");
		expect(await page.getAttribute("#buy", "aria-disabled")).toBe("true");

		await page.click("#buy", { force: true });
		await page.focus("#buy");
		await page.keyboard.press("Enter");
		await page.keyboard.press("Space");
		// A press that was acted on would have marked the button busy at once.
		expect(await page.getAttribute("#buy", "aria-busy")).toBe("false");
		// Anything the presses sent would be on the wire before this later request.
		await page.evaluate(() => fetch("/api/time"));
		expect(calls.filter((call) => call.path.includes("purchase"))).toEqual([]);
		await snap(page, "before-start");
		await shopper.close();
	});

	it.each([
		["ahead", 90_000],
		["behind", -90_000],
	])("opens within 250 ms of the server's start when the device clock is 90 s %s", async (label, skewMs) => {
		const startsAt = Date.now() + PRE_START_MS;
		const saleId = await fixture.shop.createSale({ startsAt });
		const shopper = await newShopper(fixture.browser);
		await shopper.addInitScript({ content: `globalThis.deviceClockSkewMs = ${skewMs};` });
		await shopper.addInitScript({ path: path.join(IN_PAGE, "skewed-clock.js") });
		const page = await shopper.newPage();
		await openSale(page, fixture.shop, saleId);
		const deviceClockError = (await page.evaluate(() => Date.now())) - Date.now();
		expect(Math.abs(deviceClockError - skewMs)).toBeLessThan(1_000);
		expect(await page.getAttribute("#buy", "aria-disabled")).toBe("true");

		await waitForOpen(page);
		const openedAt = await page.evaluate<number>("globalThis.buyOpenedAt");
		const delay = openedAt - startsAt;
		expect(delay).toBeGreaterThan(-250);
		expect(delay).toBeLessThan(250);

		await page.focus("#buy");
		await page.keyboard.press("Enter");
		await page.waitForSelector("#order:not([hidden])");
		expect(await text(page, "#status")).toBe("You got it! Your order is confirmed.");
		await snap(page, `skewed-clock-${label}`);
		await shopper.close();
	});

	it("renders Turnstile before the start when it loads, and spends a fresh token on each call", async () => {
		const saleId = await fixture.shop.createSale({ startsAt: Date.now() + PRE_START_MS });
		const shopper = await newShopper(fixture.browser);
		const page = await shopper.newPage();
		// Cloudflare's script is out of reach here; a stand-in with its API is
		// served in its place, at the browser's network boundary.
		await page.route("https://challenges.cloudflare.com/turnstile/v0/api.js*", (route) =>
			route.fulfill({ contentType: "text/javascript", path: path.join(IN_PAGE, "fake-turnstile.js") }),
		);
		const tokensSent: string[] = [];
		page.on("request", (request) => {
			const body = request.postDataJSON() as { turnstileToken?: string } | null;
			if (body?.turnstileToken) tokensSent.push(`${new URL(request.url()).pathname} ${body.turnstileToken}`);
		});
		await openSale(page, fixture.shop, saleId);
		await page.waitForSelector("#bot-check-widget .fake-turnstile");
		// A token asked for before the widget's first one arrives (50 ms after
		// it renders) notes "Complete the check above" until it does; once the
		// widget has answered, no note may remain.
		await page.waitForSelector("#bot-check-note:empty", { state: "attached", timeout: 5_000 });
		expect(await page.getAttribute("#buy", "aria-disabled")).toBe("true");
		expect(await text(page, "#bot-check-note")).toBe("");
		await snap(page, "turnstile-widget-before-start");

		await waitForOpen(page);
		await page.click("#buy");
		await page.waitForSelector("#order:not([hidden])");
		expect(tokensSent).toEqual([
			"/api/session turnstile-token-1",
			`/api/sales/${saleId}/purchase-token turnstile-token-2`,
		]);
		expect(await cspViolations(page)).toEqual([]);
		await shopper.close();
	});
});
