import { describe, expect, it } from "vitest";
import { newShopper, openSale, snap, text, useShopAndBrowser } from "./harness";

const fixture = useShopAndBrowser();

describe("the front page", () => {
	it("lists the sales on now and coming up, soonest first, and leads to each", async () => {
		const now = Date.now();
		const later = await fixture.shop.createSale({
			name: "Winter Jacket <i>restock</i>",
			startsAt: now + 7_200_000,
			endsAt: now + 9_000_000,
			priceCents: 24_900,
		});
		const live = await fixture.shop.createSale({
			name: "Vinyl Box Set",
			startsAt: now - 1_000,
			currency: "EUR",
		});
		const ended = await fixture.shop.createSale({
			name: "Last Year's Hoodie",
			startsAt: now - 2_000,
			endsAt: now - 1_000,
		});
		const soon = await fixture.shop.createSale({ name: "Sneaker Drop", startsAt: now + 600_000 });
		const page = await (await newShopper(fixture.browser)).newPage();
		await page.goto(fixture.shop.origin);
		await page.waitForSelector("#sales[aria-busy='false']");

		const names = await page.locator(".sale-list h2").allTextContents();
		expect(names).toEqual(["Vinyl Box Set", "Sneaker Drop", "Winter Jacket <i>restock</i>"]);
		expect(await page.locator(".sale-list i").count()).toBe(0);
		const links = await Promise.all(
			(await page.locator(".sale-link").all()).map((link) => link.getAttribute("href")),
		);
		expect(links).toEqual([`/sales/${live}`, `/sales/${soon}`, `/sales/${later}`]);
		expect(links).not.toContain(`/sales/${ended}`);
		expect(await page.locator(".sale-list .badge").allTextContents()).toEqual([
			"Live now",
			"Upcoming",
			"Upcoming",
		]);
		expect(await text(page, ".sale-list li:first-child .sale-meta")).toMatch(/^€/);
		await snap(page, "front-page");

		// Keyboard only: the first link is the brand, the second the first sale.
		await page.keyboard.press("Tab");
		await page.keyboard.press("Tab");
		await Promise.all([page.waitForURL(`**/sales/${live}`), page.keyboard.press("Enter")]);
		await page.waitForSelector("#sale[aria-busy='false']");
		expect(await text(page, "h1")).toBe("Vinyl Box Set");
	});

	it("says so when a sale does not exist", async () => {
		const page = await (await newShopper(fixture.browser)).newPage();
		await openSale(page, fixture.shop, "no-such-sale");
		expect(await text(page, "h1")).toBe("There is no such sale");
		expect(await page.isHidden("#buy")).toBe(true);
		await snap(page, "unknown-sale");
	});

	it("serves the pages with a Content-Security-Policy that admits only Turnstile from outside", async () => {
		const saleId = await fixture.shop.createSale();
		for (const path of ["/", `/sales/${saleId}`]) {
			const response = await fetch(`${fixture.shop.origin}${path}`);
			expect(response.status).toBe(200);
			const policy = response.headers.get("content-security-policy") ?? "";
			const sources = policy.match(/https?:\/\/[^\s;]+/g) ?? [];
			expect(new Set(sources)).toEqual(new Set(["https://challenges.cloudflare.com"]));
			expect(policy).toContain("default-src 'none'");
			expect(policy).toContain("script-src 'self' https://challenges.cloudflare.com");
			expect(policy).toContain("frame-src https://challenges.cloudflare.com");
			expect(policy).toContain("frame-ancestors 'none'");
			expect(response.headers.get("x-content-type-options")).toBe("nosniff");
			expect(response.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
		}
	});
});
