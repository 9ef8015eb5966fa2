import { mkdir } from "node:fs/promises";
import path from "node:path";
import { type Browser, type BrowserContext, chromium, type Page, type Request } from "playwright-core";
import { afterAll, beforeAll, inject } from "vitest";
import { type Order, type Shop, startShop } from "./shop";

export { type Order, type SaleInput, type Shop, startShop } from "./shop";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** Scripts that run inside the page (plain JS: the browser runs them as they are). */
export const IN_PAGE = path.join(import.meta.dirname, "in-page");
const ARTIFACTS = path.join(ROOT, "test-artifacts", "e2e");

/**
 * Headless Chromium: the system's if it has one, otherwise the one from npm
 * (see browser-binary.ts, which picks it once for the whole run).
 */
export function launchBrowser(): Promise<Browser> {
	const { executablePath, args } = inject("browserBinary");
	return chromium.launch({ executablePath, args });
}

let shopperCounter = 0;

/**
 * A shopper: a browser profile of their own (own cookies) from an address of
 * their own, so the per-address rate limits see distinct people. Turnstile's
 * script host is refused at once, as on this offline machine, so the page
 * takes its documented offline path without waiting for a DNS timeout.
 */
export async function newShopper(browser: Browser): Promise<BrowserContext> {
	shopperCounter++;
	const context = await browser.newContext({
		viewport: DESKTOP,
		extraHTTPHeaders: { "cf-connecting-ip": `198.51.100.${shopperCounter % 250}` },
	});
	await context.route("https://challenges.cloudflare.com/**", (route) => route.abort("internetdisconnected"));
	await context.addInitScript({ path: path.join(IN_PAGE, "csp-violations.js") });
	return context;
}

const DESKTOP = { width: 1280, height: 860 };
const PHONE = { width: 375, height: 812 };

/** Saves `<name>-375.png` and `<name>-1280.png` under test-artifacts/e2e/. */
export async function snap(page: Page, name: string): Promise<void> {
	await mkdir(ARTIFACTS, { recursive: true });
	for (const size of [PHONE, DESKTOP]) {
		await page.setViewportSize(size);
		await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${size.width}.png`), fullPage: true });
	}
}

export interface ApiCall {
	method: string;
	path: string;
	at: number;
}

/** Every API request the page sends, as the browser sends it. */
export function recordApiCalls(page: Page): ApiCall[] {
	const calls: ApiCall[] = [];
	page.on("request", (request: Request) => {
		const url = new URL(request.url());
		if (url.pathname.startsWith("/api/"))
			calls.push({ method: request.method(), path: url.pathname, at: Date.now() });
	});
	return calls;
}

export function callsTo(calls: ApiCall[], method: string, suffix: string): ApiCall[] {
	return calls.filter((call) => call.method === method && call.path.endsWith(suffix));
}

/** Opens a sale page and waits until it shows the sale. */
export async function openSale(page: Page, shop: Shop, saleId: string): Promise<void> {
	await page.goto(`${shop.origin}/sales/${saleId}`);
	await page.waitForSelector("#sale[aria-busy='false']");
}

/** Waits until the Buy button can be pressed. */
export async function waitForOpen(page: Page, timeout = 15_000): Promise<void> {
	await page.waitForSelector("#buy[aria-disabled='false']", { timeout });
}

export async function orderOf(page: Page, shop: Shop, saleId: string): Promise<Order> {
	const response = await page.context().request.get(`${shop.origin}/api/sales/${saleId}/order`);
	if (!response.ok()) throw new Error(`no order: ${response.status()} ${await response.text()}`);
	return ((await response.json()) as { order: Order }).order;
}

/** What the page's Content-Security-Policy blocked so far. */
export function cspViolations(page: Page): Promise<string[]> {
	return page.evaluate<string[]>("globalThis.cspViolations");
}

/** Waits until an element's text is exactly `expected` (or matches it), by default for up to 30 s. */
export async function waitForText(
	page: Page,
	selector: string,
	expected: string | RegExp,
	timeout?: number,
): Promise<void> {
	const pattern =
		typeof expected === "string"
			? new RegExp(`^${expected.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`)
			: expected;
	await page.locator(selector, { hasText: pattern }).waitFor({ timeout });
}

export async function text(page: Page, selector: string): Promise<string> {
	return (await page.textContent(selector))?.trim() ?? "";
}

/**
 * The offline payment provider (shared/API.md "Payment providers"), so that
 * sales with holds can be made and paid through its `/pay/test` page.
 */
export const TEST_PAYMENTS = { PAYMENT_PROVIDER: "test", ALLOW_TEST_PROVIDERS: "1" };

/**
 * The offline draw beacon (a secret committed to at creation, shared/API.md
 * "Draws"), so draw sales can be drawn offline; with the test payments.
 */
export const DRAW_VARS = { ...TEST_PAYMENTS, DRAW_BEACON: "local" };

/**
 * One shop and one browser for a whole test file, started before its first
 * test and closed after its last. Read `.shop` and `.browser` inside tests.
 * @param vars overrides of wrangler.jsonc "vars" for the shop
 */
export function useShopAndBrowser(vars: Record<string, string> = {}): { shop: Shop; browser: Browser } {
	const fixture = {} as { shop: Shop; browser: Browser };
	beforeAll(async () => {
		fixture.shop = await startShop(vars);
		fixture.browser = await launchBrowser();
	});
	afterAll(async () => {
		await fixture.browser?.close();
		await fixture.shop?.close();
	});
	return fixture;
}
