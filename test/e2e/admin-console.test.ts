import { readFile } from "node:fs/promises";
import path from "node:path";
import { sign } from "hono/jwt";
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { parseCsv } from "../support/parse-csv";
import { cspViolations, IN_PAGE, snap, text, useShopAndBrowser, waitForText } from "./harness";

const ADMIN_TOKEN = process.env.ADMIN_TOKEN ?? "";
const SESSION_SECRET = process.env.SESSION_SECRET ?? "";
/** Half an hour off the hour and no daylight saving: a wrong time zone conversion cannot hide. */
const TIME_ZONE = "Asia/Kolkata";
const ZONE_OFFSET_MS = 5.5 * 3_600_000;
/** Time to save an edit before the new start, even on a busy machine. */
const PRE_START_MS = 6_000;
const CSV_HEADER = ["order_id", "sale_id", "user_id", "quantity", "status", "created_at"];

const fixture = useShopAndBrowser();

describe("the admin console", () => {
	it("sets up a drop, watches it sell out live, exports its orders and reconciles", async () => {
		const { context, page } = await openConsole();
		const puts = adminRequests(page, "PUT");
		expect(await page.isVisible("#sign-in")).toBe(true);

		await page.fill("#token", "not-the-token");
		await page.press("#token", "Enter");
		await waitForText(page, "#token-error", "That token was not accepted. Check it and try again.");
		expect(await storedToken(page)).toBeNull();
		await signIn(page);
		expect(await storedToken(page)).toBe(ADMIN_TOKEN);

		await page.click("#new-sale");
		await waitForText(page, "#editor-title", "New sale");
		await fillSaleForm(page, {
			id: "Not A Slug",
			name: "   ",
			price: "12.345",
			currency: "US",
			totalStock: "0",
			maxPerUser: "1001",
			startsAt: localInput(Date.now() + 7_200_000),
			endsAt: localInput(Date.now() + 3_600_000),
		});
		await page.click("#save-sale");
		expect(await text(page, "#form-error")).toBe("Check the 7 highlighted fields.");
		expect(await fieldErrors(page)).toEqual({
			id: "Use lowercase letters, digits and hyphens (up to 63), starting with a letter or digit.",
			name: "Give the sale a name.",
			price: "Enter an amount of 0 or more, with at most 2 decimal places.",
			currency: "Use a three-letter ISO 4217 code such as USD.",
			totalStock: "Enter a whole number from 1 to 100,000,000.",
			maxPerUser: "Enter a whole number from 1 to 1,000.",
			endsAt: "The sale must close after it opens.",
		});
		expect(await focusedId(page)).toBe("f-id");
		expect(await page.getAttribute("#f-id", "aria-invalid")).toBe("true");
		await snap(page, "admin-form-errors");
		expect(puts).toEqual([]);

		const saleId = `console-drop-${Date.now().toString(36)}`;
		const name = `<b>Console</b> Drop & "Friends"`;
		const opensAt = wholeSecond(Date.now() + 3_600_000);
		await fillSaleForm(page, {
			id: saleId,
			name,
			description: "<img src=x onerror=alert(1)> Three pairs only.",
			price: "12.50",
			currency: "eur",
			totalStock: "5",
			maxPerUser: "1",
			startsAt: localInput(opensAt),
			endsAt: localInput(opensAt + 3_600_000),
		});
		expect(await page.inputValue("#f-currency")).toBe("EUR");
		expect(await text(page, "#f-price-hint")).toBe("€12.50, stored as 1,250 minor units.");
		await page.click("#save-sale");
		await waitForText(page, "#live-name", name);
		await waitForText(page, "#console-status", `Created “${name}”.`);
		expect(puts).toEqual([`/admin/sales/${saleId}`]);
		expect((await adminGet(`/admin/sales/${saleId}`)).sale).toMatchObject({
			name,
			priceCents: 1_250,
			currency: "EUR",
			totalStock: 5,
			maxPerUser: 1,
			startsAt: opensAt,
			endsAt: opensAt + 3_600_000,
			status: "upcoming",
		});
		await waitForText(page, "#live-badge", "Upcoming");
		expect(await text(page, "#stat-remaining")).toBe("5");
		expect(await text(page, ".sale-row[aria-current='true'] .row-name")).toBe(name);
		expect(await page.locator("#live-name b, .row-name b").count()).toBe(0);

		// Edited before it opens: fewer units, and an opening a few seconds away.
		await page.click("#edit-sale");
		await waitForText(page, "#editor-title", `Edit “${name}”`);
		expect(await page.getAttribute("#f-id", "readonly")).not.toBeNull();
		expect(await page.inputValue("#f-startsAt")).toBe(localInput(opensAt));
		expect(await page.inputValue("#f-price")).toBe("12.50");
		const startsAt = wholeSecond(Date.now() + PRE_START_MS);
		await fillSaleForm(page, { totalStock: "3", startsAt: localInput(startsAt) });
		await page.click("#save-sale");
		await waitForText(page, "#console-status", `Saved the changes to “${name}”.`);
		await waitForText(page, "#stat-remaining", "3");
		expect(puts).toEqual([`/admin/sales/${saleId}`, `/admin/sales/${saleId}`]);
		await snap(page, "admin-upcoming");

		await waitForText(page, "#live-badge", "Live");
		expect(Date.now()).toBeGreaterThanOrEqual(startsAt);
		const buyers = await Promise.all(["buyer-a", "buyer-b", 'buyer "c", the third', "buyer-d"].map(newBuyer));
		const [first, second, third, late] = buyers as [Buyer, Buyer, Buyer, Buyer];
		const tokens = await Promise.all(buyers.map((buyer) => buyer.purchaseToken(saleId)));
		const [firstToken, secondToken, thirdToken, lateToken] = tokens as [string, string, string, string];
		const orders: { id: string }[] = [];
		const bought = await first.purchase(saleId, firstToken);
		expect(bought.status).toBe(201);
		orders.push(((await bought.json()) as { order: { id: string } }).order);
		expect((await first.purchase(saleId, firstToken)).status).toBe(200);
		for (const [buyer, token] of [
			[second, secondToken],
			[third, thirdToken],
		] as const) {
			const response = await buyer.purchase(saleId, token);
			expect(response.status).toBe(201);
			orders.push(((await response.json()) as { order: { id: string } }).order);
		}
		expect((await late.purchase(saleId, lateToken)).status).toBe(409);
		expect((await late.purchase(saleId, "forged.purchase.token")).status).toBe(403);

		// The console has not been reloaded: these come from its own refreshes.
		await waitForText(page, "#stat-sold", "3");
		await waitForText(page, "#live-badge", "Sold out");
		await waitForText(page, "#outcome-rows [data-outcome='invalid_token'] .count", "1");
		await waitForText(page, "#stat-recorded", "3");
		await waitForText(page, "#stat-pending", "0");
		expect(await text(page, "#stat-remaining")).toBe("0");
		expect(await text(page, "#stat-buyers")).toBe("3");
		expect(await outcomeCounts(page)).toEqual({
			confirmed: "3",
			duplicate: "1",
			sold_out: "1",
			not_started: "0",
			ended: "0",
			invalid_token: "1",
			overloaded: "0",
		});
		const { stats } = (await adminGet(`/admin/sales/${saleId}`)) as { stats: { outcomes: object } };
		expect(stats.outcomes).toEqual({
			confirmed: 3,
			duplicate: 1,
			sold_out: 1,
			not_started: 0,
			ended: 0,
			invalid_token: 1,
			overloaded: 0,
		});
		expect(await page.locator("#chart rect.chart-bar").count()).toBeGreaterThan(0);
		expect(await text(page, "#chart-summary")).toMatch(/: 3 orders in all, peak \d+(\.\d)? per second at /);
		expect(await page.isHidden("#edit-sale")).toBe(true);
		expect(await text(page, "#edit-note")).toBe("This sale has started, so it can no longer be changed.");

		const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-csv")]);
		expect(download.suggestedFilename()).toBe(`${saleId}-orders.csv`);
		const csv = await readFile(await download.path(), "utf8");
		const [header, ...rows] = parseCsv(csv);
		// v1's columns keep their names and places; the v2 columns follow them.
		expect(header?.slice(0, CSV_HEADER.length)).toEqual(CSV_HEADER);
		const byOrderId = (a: (string | undefined)[], b: (string | undefined)[]) =>
			String(a[0]).localeCompare(String(b[0]));
		expect(rows.map((row) => row.slice(0, 5)).sort(byOrderId)).toEqual(
			[first, second, third]
				.map((buyer, index) => [orders[index]?.id, saleId, buyer.userId, "1", "confirmed"])
				.sort(byOrderId),
		);
		expect(rows.every((row) => !Number.isNaN(Date.parse(row[5] ?? "")))).toBe(true);
		expect(csv).toContain(`"buyer ""c"", the third"`);
		await waitForText(page, "#console-status", /^Downloaded .+-orders\.csv \(\d+ bytes\)\.$/);

		await page.click("#reconcile");
		await waitForText(
			page,
			"#console-status",
			"Reconciled: the order book already holds every confirmed order.",
		);
		await snap(page, "admin-sold-out");

		expect(page.url()).toBe(`${fixture.shop.origin}/admin/#sale/${saleId}`);
		expect(await cspViolations(page)).toEqual([]);
		expect(await page.evaluate<boolean>("'alerted' in globalThis")).toBe(false);
		await page.click("#sign-out");
		await page.waitForSelector("#sign-in:not([hidden])");
		expect(await storedToken(page)).toBeNull();
		expect(await page.isHidden("#workspace")).toBe(true);
		await context.close();
	});

	it("refuses to change a sale once it has started, and says so", async () => {
		const startsAt = Date.now() + PRE_START_MS;
		const saleId = await fixture.shop.createSale({ name: "Started Too Soon", startsAt });
		const { context, page } = await openConsole();
		await signIn(page);

		// Keyboard only: from the top of the page to the sale's row, then into its editor.
		const row = page.locator(".sale-row", { hasText: saleId });
		await row.waitFor();
		const rowHref = `#sale/${saleId}`;
		for (let presses = 0; presses < 20 && (await focusedHref(page)) !== rowHref; presses++) {
			await page.keyboard.press("Tab");
		}
		expect(await focusedHref(page)).toBe(rowHref);
		await page.keyboard.press("Enter");
		await waitForText(page, "#live-name", "Started Too Soon");
		await page.keyboard.press("Tab");
		expect(await focusedId(page)).toBe("edit-sale");
		await page.keyboard.press("Enter");
		await waitForText(page, "#editor-title", "Edit “Started Too Soon”");

		await expect
			.poll(async () => (await publicSale(saleId)).status, { timeout: 20_000, interval: 250 })
			.toBe("live");
		await page.fill("#f-name", "Renamed Too Late");
		await page.click("#save-sale");
		await waitForText(page, "#form-error", "Not saved: The sale has started; it can no longer be changed.");
		expect((await publicSale(saleId)).name).toBe("Started Too Soon");
		await snap(page, "admin-edit-refused");

		await page.click("#cancel-edit");
		await waitForText(page, "#live-badge", "Live");
		expect(await page.isHidden("#edit-sale")).toBe(true);
		await page.evaluate(`location.hash = "#edit/${saleId}"`);
		await waitForText(
			page,
			"#console-status",
			"“Started Too Soon” has started, so it can no longer be changed.",
		);
		await page.waitForURL(`**/admin/#sale/${saleId}`);
		expect(await page.isHidden("#editor")).toBe(true);
		await context.close();
	});

	it("is a static page under the site's CSP, while every admin API path still needs the token", async () => {
		const page = await fetch(`${fixture.shop.origin}/admin/`);
		expect(page.status).toBe(200);
		expect(page.headers.get("content-type")).toMatch(/^text\/html/);
		const policy = page.headers.get("content-security-policy") ?? "";
		expect(policy).toContain("default-src 'none'");
		expect(policy).toContain("script-src 'self'");
		expect(policy).toContain("connect-src 'self'");
		expect(policy).not.toContain("unsafe-inline");
		const script = await fetch(`${fixture.shop.origin}/admin/assets/console.js`);
		expect(script.status).toBe(200);
		expect(script.headers.get("content-type")).toMatch(/javascript/);

		for (const pathname of [
			"/admin/sales",
			"/admin/metrics",
			"/admin/sales/some-sale",
			"/admin/sales/some-sale/orders.csv",
			"/admin/index.html",
			"/admin/no-such-thing",
		]) {
			const response = await fetch(`${fixture.shop.origin}${pathname}`);
			expect(response.status, pathname).toBe(401);
			expect(await response.json()).toMatchObject({ error: { code: "unauthenticated" } });
		}
		const metrics = await fetch(`${fixture.shop.origin}/admin/metrics`, {
			headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
		});
		expect(metrics.status).toBe(200);
		expect(metrics.headers.get("content-type")).toMatch(/^text\/plain/);
	});
});

async function openConsole(): Promise<{ context: BrowserContext; page: Page }> {
	const context = await fixture.browser.newContext({
		viewport: { width: 1280, height: 860 },
		locale: "en-US",
		timezoneId: TIME_ZONE,
	});
	await context.addInitScript({ path: path.join(IN_PAGE, "csp-violations.js") });
	// Anything the page ran from injected markup would call alert.
	await context.addInitScript({ content: "globalThis.alert = () => { globalThis.alerted = true; };" });
	const page = await context.newPage();
	await page.goto(`${fixture.shop.origin}/admin/`);
	await page.waitForSelector("#sign-in:not([hidden])");
	return { context, page };
}

async function signIn(page: Page): Promise<void> {
	await page.fill("#token", ADMIN_TOKEN);
	await page.click("#sign-in-button");
	await page.waitForSelector("#workspace:not([hidden])");
	expect(page.url()).not.toContain(ADMIN_TOKEN);
}

function storedToken(page: Page): Promise<string | null> {
	return page.evaluate<string | null>(`sessionStorage.getItem("doorbuster.adminToken")`);
}

function focusedId(page: Page): Promise<string> {
	return page.evaluate<string>("document.activeElement?.id ?? ''");
}

function focusedHref(page: Page): Promise<string> {
	return page.evaluate<string>("document.activeElement?.getAttribute('href') ?? ''");
}

/** The admin API paths the page sends with a method, as the browser sends them. */
function adminRequests(page: Page, method: string): string[] {
	const paths: string[] = [];
	page.on("request", (request) => {
		const url = new URL(request.url());
		if (request.method() === method && url.pathname.startsWith("/admin/sales")) paths.push(url.pathname);
	});
	return paths;
}

type FormField =
	| "id"
	| "name"
	| "description"
	| "price"
	| "currency"
	| "totalStock"
	| "maxPerUser"
	| "startsAt"
	| "endsAt";

async function fillSaleForm(page: Page, values: Partial<Record<FormField, string>>): Promise<void> {
	for (const [field, value] of Object.entries(values)) await page.fill(`#f-${field}`, value);
}

async function fieldErrors(page: Page): Promise<Record<string, string>> {
	const errors: Record<string, string> = {};
	for (const error of await page.locator(".field-error").all()) {
		const message = (await error.textContent())?.trim() ?? "";
		const id = (await error.getAttribute("id")) ?? "";
		if (message) errors[id.replace(/^f-/, "").replace(/-error$/, "")] = message;
	}
	return errors;
}

async function outcomeCounts(page: Page): Promise<Record<string, string>> {
	const counts: Record<string, string> = {};
	for (const row of await page.locator("#outcome-rows tr").all()) {
		counts[(await row.getAttribute("data-outcome")) ?? ""] =
			(await row.locator(".count").textContent()) ?? "";
	}
	return counts;
}

/** What a `datetime-local` input shows for a moment, in the console's time zone. */
function localInput(epochMs: number): string {
	return new Date(epochMs + ZONE_OFFSET_MS).toISOString().slice(0, 19);
}

/** The form works to the second. */
function wholeSecond(epochMs: number): number {
	return Math.ceil(epochMs / 1000) * 1000;
}

async function adminGet(pathname: string): Promise<{ sale: Record<string, unknown>; stats: unknown }> {
	const response = await fetch(`${fixture.shop.origin}${pathname}`, {
		headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
	});
	expect(response.status).toBe(200);
	return (await response.json()) as { sale: Record<string, unknown>; stats: unknown };
}

async function publicSale(saleId: string): Promise<{ status: string; name: string }> {
	const response = await fetch(`${fixture.shop.origin}/api/sales/${saleId}`);
	return ((await response.json()) as { sale: { status: string; name: string } }).sale;
}

interface Buyer {
	userId: string;
	purchaseToken(saleId: string): Promise<string>;
	purchase(saleId: string, purchaseToken: string): Promise<Response>;
}

let buyerCount = 0;

/** A shopper of a shop with its own login: a session JWT minted as that login would. */
async function newBuyer(userId: string): Promise<Buyer> {
	const now = Math.floor(Date.now() / 1000);
	const session = await sign({ sub: userId, iat: now, exp: now + 600 }, SESSION_SECRET, "HS256");
	const headers = {
		authorization: `Bearer ${session}`,
		"content-type": "application/json",
		"cf-connecting-ip": `203.0.113.${++buyerCount % 250}`,
	};
	const post = (pathname: string, body: unknown) =>
		fetch(`${fixture.shop.origin}${pathname}`, { method: "POST", headers, body: JSON.stringify(body) });
	return {
		userId,
		async purchaseToken(saleId) {
			const response = await post(`/api/sales/${saleId}/purchase-token`, {
				turnstileToken: "XXXX.DUMMY.TOKEN.XXXX",
			});
			expect(response.status).toBe(200);
			return ((await response.json()) as { purchaseToken: string }).purchaseToken;
		},
		purchase: (saleId, purchaseToken) => post(`/api/sales/${saleId}/purchase`, { purchaseToken }),
	};
}
