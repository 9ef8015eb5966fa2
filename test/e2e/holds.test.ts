import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { apiBuyer } from "./api-buyer";
import {
	callsTo,
	newShopper,
	type Order,
	openSale,
	orderOf,
	recordApiCalls,
	type SaleInput,
	snap,
	TEST_PAYMENTS,
	text,
	useShopAndBrowser,
	waitForOpen,
	waitForText,
} from "./harness";

const fixture = useShopAndBrowser(TEST_PAYMENTS);

/** Two sizes: two pairs of one, one of the other. */
const SIZES = [
	{ id: "us-9", name: "US 9", totalStock: 2 },
	{ id: "us-10", name: "US 10", totalStock: 1 },
];
/** The product picture's address; the browser gets it from `PICTURE` below, as this machine is offline. */
const IMAGE_URL = "https://images.example/sneaker.svg";
const PICTURE =
	'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="240"><rect width="400" height="240" fill="#c7361c"/></svg>';
/** The hold's clock as the page shows it: "pay within m:ss". */
const HOLD_CLOCK = /^\d+:[0-5]\d$/;

/** A live sale with sizes, a picture and a two-minute hold, unless told otherwise. */
function sizedSale(overrides: Partial<SaleInput> = {}): Promise<string> {
	return fixture.shop.createSale({
		startsAt: Date.now() - 1_000,
		variants: SIZES,
		totalStock: 3,
		imageUrl: IMAGE_URL,
		holdSeconds: 120,
		...overrides,
	});
}

/** A shopper's browser profile that can load the product picture. */
async function shopper(): Promise<BrowserContext> {
	const context = await newShopper(fixture.browser);
	await context.route(IMAGE_URL, (route) => route.fulfill({ contentType: "image/svg+xml", body: PICTURE }));
	return context;
}

async function shopperOn(saleId: string): Promise<Page> {
	const page = await (await shopper()).newPage();
	await openSale(page, fixture.shop, saleId);
	return page;
}

/** Picks a size and waits until the main button can be pressed for it. */
async function pickSize(page: Page, variantId: string): Promise<void> {
	await page.click(`.size[data-variant='${variantId}']`);
	await waitForOpen(page);
}

/** Buys the picked size and waits for the hold. */
async function holdOne(page: Page): Promise<void> {
	await page.click("#buy");
	await page.waitForSelector("#hold:not([hidden])");
}

/** What one size's button says: its name and what is left. */
function sizeLabel(page: Page, variantId: string): Promise<string> {
	return text(page, `.size[data-variant='${variantId}'] .size-left`);
}

/** Presses Pay on the sale page and waits for the test payment page. */
async function goToPayment(page: Page, saleId: string): Promise<void> {
	await page.click("#order #pay");
	await page.waitForURL(`**/pay/test?sale=${saleId}`);
}

/** The hold's clock, in whole seconds left. */
async function secondsLeft(page: Page): Promise<number> {
	const [minutes, seconds] = (await text(page, "#hold-countdown")).split(":").map(Number);
	return (minutes ?? 0) * 60 + (seconds ?? 0);
}

describe("a sale with sizes and holds, in the browser", () => {
	it("sells a picked size on hold, counts down, takes payment on the test page and comes back confirmed", async () => {
		const saleId = await sizedSale();
		const page = await shopperOn(saleId);
		await page.waitForFunction(
			"(() => { const image = document.querySelector('#sale-image'); return !image.hidden && image.complete && image.naturalWidth > 0; })()",
		);
		expect(await page.getAttribute("#sale-image", "alt")).toBe("Limited Sneaker");
		expect(await page.locator(".size .size-name").allTextContents()).toEqual(["US 9", "US 10"]);
		expect(await sizeLabel(page, "us-9")).toBe("2 left");
		expect(await sizeLabel(page, "us-10")).toBe("1 left");
		// Nothing to buy until a size is picked.
		expect(await page.getAttribute("#buy", "aria-disabled")).toBe("true");
		await snap(page, "sizes-live");

		await pickSize(page, "us-9");
		expect(await page.getAttribute(".size[data-variant='us-9']", "aria-pressed")).toBe("true");
		await holdOne(page);
		expect(await text(page, "#status")).toMatch(/^Got it! Pay within (2:00|1:59) to keep it\.$/);
		expect(await text(page, "#order-title")).toBe("Your hold");
		expect(await text(page, "#order-size")).toBe("US 9");
		expect(await text(page, "#order-total")).toBe("$129.00");
		expect(await page.isHidden("#buy")).toBe(true);
		const order = await orderOf(page, fixture.shop, saleId);
		expect(order).toMatchObject({ status: "held", variantId: "us-9" });

		// The clock runs: it shows less time a second later, on the server's clock.
		expect(await text(page, "#hold-countdown")).toMatch(HOLD_CLOCK);
		const first = await secondsLeft(page);
		expect(first).toBeGreaterThan(100);
		expect(first).toBeLessThanOrEqual(120);
		await expect.poll(() => secondsLeft(page), { timeout: 5_000 }).toBeLessThan(first);
		await snap(page, "hold-counting-down");

		await goToPayment(page, saleId);
		await page.click("#pay");
		await page.waitForURL(`**/sales/${saleId}`);
		await waitForText(page, "#status", "Paid. Your order is confirmed.");
		expect(await page.isHidden("#hold")).toBe(true);
		expect(await text(page, "#order-title")).toBe("Your order");
		expect(await text(page, "#order-id")).toBe(order.id);
		expect(await page.isVisible("#order-paid-row")).toBe(true);
		// The query the checkout came back with is gone, so a reload does not replay it.
		expect(new URL(page.url()).search).toBe("");
		expect(await orderOf(page, fixture.shop, saleId)).toMatchObject({ id: order.id, status: "confirmed" });
		await snap(page, "hold-paid-confirmed");
	});

	it("cancels a hold: the unit goes back at once and the shopper can buy again", async () => {
		const saleId = await sizedSale();
		const page = await shopperOn(saleId);
		await pickSize(page, "us-10");
		await holdOne(page);
		const held = await orderOf(page, fixture.shop, saleId);

		const watcher = await shopperOn(saleId);
		await waitForText(watcher, ".size[data-variant='us-10'] .size-left", "Sold out");

		await page.click("#cancel-hold");
		await waitForText(page, "#status", "You cancelled your hold, and the unit went back. You can try again.");
		expect(await page.isHidden("#order")).toBe(true);
		expect(await orderOf(page, fixture.shop, saleId)).toMatchObject({ id: held.id, status: "cancelled" });
		await waitForText(page, ".size[data-variant='us-10'] .size-left", "1 left");
		await waitForText(watcher, ".size[data-variant='us-10'] .size-left", "1 left");
		await snap(page, "hold-cancelled");

		await pickSize(page, "us-10");
		await holdOne(page);
		const again = await orderOf(page, fixture.shop, saleId);
		expect(again).toMatchObject({ status: "held", variantId: "us-10" });
		expect(again.id).not.toBe(held.id);
	});

	it("keeps the hold after a declined payment, and a payment after it confirms", async () => {
		const saleId = await sizedSale();
		const page = await shopperOn(saleId);
		await pickSize(page, "us-9");
		await holdOne(page);

		await goToPayment(page, saleId);
		await page.click("#decline");
		await waitForText(page, "#pay-result", "Declined. Your order is still held until its deadline.");
		await page.click("#back");
		await page.waitForURL(`**/sales/${saleId}`);
		await waitForText(
			page,
			"#status",
			/^The payment was not completed\. Your hold keeps running: pay within \d+:[0-5]\d, or cancel it\.$/,
		);
		expect(await page.isVisible("#hold-countdown")).toBe(true);
		expect(await orderOf(page, fixture.shop, saleId)).toMatchObject({ status: "held" });
		await snap(page, "hold-after-decline");

		await goToPayment(page, saleId);
		await page.click("#pay");
		await page.waitForURL(`**/sales/${saleId}`);
		await waitForText(page, "#status", "Paid. Your order is confirmed.");
		expect(await orderOf(page, fixture.shop, saleId)).toMatchObject({ status: "confirmed" });
	});

	it("back from a checkout, waits for the payment's confirmation before saying it is confirmed", async () => {
		const saleId = await sizedSale();
		const page = await shopperOn(saleId);
		await pickSize(page, "us-9");
		await holdOne(page);

		// Back from the provider before its confirmation (Stripe's webhook) came in.
		await page.goto(`${fixture.shop.origin}/sales/${saleId}?checkout=success`);
		await waitForText(page, "#status", "Payment sent. Confirming your order…");
		expect(await text(page, "#hold-note")).toBe(
			"Waiting for the payment to be confirmed. This takes a few seconds.",
		);
		expect(await page.isHidden("#order #pay")).toBe(true);
		await snap(page, "hold-confirming");

		const paid = await page
			.context()
			.request.post(`${fixture.shop.origin}/api/sales/${saleId}/order/test-payment`, {
				data: { outcome: "paid" },
			});
		expect(paid.status()).toBe(200);
		await waitForText(page, "#status", "Paid. Your order is confirmed.");
		expect(await page.isHidden("#hold")).toBe(true);
	});

	it("hands an expired hold to the buyer waiting in another browser, who pays for it", async () => {
		const saleId = await sizedSale({ holdSeconds: 12 });
		const first = await shopperOn(saleId);
		await pickSize(first, "us-10");
		await holdOne(first);
		const expiring = await orderOf(first, fixture.shop, saleId);

		const second = await shopperOn(saleId);
		await second.click(".size[data-variant='us-10']");
		await waitForText(second, ".size[data-variant='us-10'] .size-left", "Sold out");
		await waitForText(second, "#buy", "Join the waitlist");
		await waitForOpen(second);
		await second.click("#buy");
		await second.waitForSelector("#waitlist:not([hidden])");
		expect(await text(second, "#waitlist-place")).toBe("Number 1 in line for US 10.");
		expect(await text(second, "#status")).toBe(
			"You are on the waitlist. This page shows the hold if a unit comes back to you.",
		);
		await snap(second, "waitlist-waiting");

		// The first buyer does not pay: at zero their page says the hold is over.
		await waitForText(
			first,
			"#status",
			"Your hold ran out before it was paid, so the unit went back. You can try again.",
			20_000,
		);
		expect(await first.isHidden("#order")).toBe(true);
		expect(await orderOf(first, fixture.shop, saleId)).toMatchObject({ id: expiring.id, status: "expired" });
		await snap(first, "hold-expired");

		await waitForText(
			second,
			"#status",
			/^A unit came back and it is yours! Pay within \d+:[0-5]\d to keep it\.$/,
		);
		expect(await second.isHidden("#waitlist")).toBe(true);
		expect(await text(second, "#order-size")).toBe("US 10");
		const handedOver: Order = await orderOf(second, fixture.shop, saleId);
		expect(handedOver).toMatchObject({ status: "held", variantId: "us-10" });
		await snap(second, "waitlist-handed-over");

		await goToPayment(second, saleId);
		await second.click("#pay");
		await second.waitForURL(`**/sales/${saleId}`);
		await waitForText(second, "#status", "Paid. Your order is confirmed.");
		expect(await orderOf(second, fixture.shop, saleId)).toMatchObject({
			id: handedOver.id,
			status: "confirmed",
		});
	});

	it("keeps the place in line up to date, asking every 2 s at most and waiting out a 429's Retry-After", async () => {
		const saleId = await fixture.shop.createSale({
			startsAt: Date.now() - 1_000,
			totalStock: 1,
			holdSeconds: 120,
		});
		const [holder, ahead] = await Promise.all([
			apiBuyer(fixture.shop, `${saleId}-holder`),
			apiBuyer(fixture.shop, `${saleId}-ahead`),
		]);
		await holder.buy(saleId);
		expect(await ahead.joinWaitlist(saleId)).toBe(1);

		const page = await shopperOn(saleId);
		const calls = recordApiCalls(page);
		expect(await page.isHidden("#sizes")).toBe(true);
		await waitForText(page, "#buy", "Join the waitlist");
		expect(await text(page, "#status")).toBe(
			"Sold out for now. Units held by others come back if they are not paid for: join the waitlist to be next.",
		);
		let refused = false;
		await page.route("**/waitlist", async (route) => {
			if (refused || route.request().method() !== "GET") return route.continue();
			refused = true;
			await route.fulfill({
				status: 429,
				contentType: "application/json",
				headers: { "retry-after": "4" },
				body: JSON.stringify({ error: { code: "rate_limited", message: "stubbed" } }),
			});
		});
		await waitForOpen(page);
		await page.click("#buy");
		await expect.poll(() => text(page, "#waitlist-place"), { timeout: 10_000 }).toBe("Number 2 in line.");

		await ahead.leaveWaitlist(saleId);
		await expect.poll(() => text(page, "#waitlist-place"), { timeout: 15_000 }).toBe("Number 1 in line.");
		const polls = callsTo(calls, "GET", "/waitlist");
		expect(polls.length).toBeGreaterThanOrEqual(2);
		const gaps = polls.slice(1).map((poll, index) => poll.at - (polls[index] as { at: number }).at);
		// The first poll was told to wait 4 s; the page never asks sooner than every 2 s.
		expect(gaps[0]).toBeGreaterThanOrEqual(3_950);
		for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(1_950);
		await snap(page, "waitlist-moved-up");
	});

	it("disables a size sold out for good, and shows a sale without the new fields as before", async () => {
		const sized = await sizedSale({ holdSeconds: 0 });
		const buyer = await shopperOn(sized);
		await pickSize(buyer, "us-10");
		await buyer.click("#buy");
		await waitForText(buyer, "#status", "You got it! Your order is confirmed.");
		expect(await buyer.isHidden("#hold")).toBe(true);
		expect(await text(buyer, "#order-size")).toBe("US 10");

		const page = await shopperOn(sized);
		await waitForText(page, ".size[data-variant='us-10'] .size-left", "Sold out");
		expect(await page.isDisabled(".size[data-variant='us-10']")).toBe(true);
		expect(await page.isDisabled(".size[data-variant='us-9']")).toBe(false);
		await snap(page, "size-sold-out");

		const plain = await fixture.shop.createSale({ startsAt: Date.now() - 1_000 });
		const v1 = await shopperOn(plain);
		expect(await v1.isHidden("#sizes")).toBe(true);
		expect(await v1.isHidden("#sale-image")).toBe(true);
		await waitForOpen(v1);
		await v1.click("#buy");
		await waitForText(v1, "#status", "You got it! Your order is confirmed.");
		expect(await v1.isHidden("#hold")).toBe(true);
		expect(await v1.isHidden("#order-size-row")).toBe(true);
		expect(await text(v1, "#order-title")).toBe("Your order");
	});
});
