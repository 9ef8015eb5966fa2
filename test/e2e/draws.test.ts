import { createHash } from "node:crypto";
import path from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
	cspViolations,
	DRAW_VARS,
	IN_PAGE,
	newShopper,
	openSale,
	orderOf,
	type SaleInput,
	snap,
	text,
	useShopAndBrowser,
	waitForOpen,
	waitForText,
} from "./harness";

const fixture = useShopAndBrowser(DRAW_VARS);

/** Two sizes: two pairs of one, one of the other. */
const SIZES = [
	{ id: "us-9", name: "US 9", totalStock: 2 },
	{ id: "us-10", name: "US 10", totalStock: 1 },
];

interface Entry {
	commitment: string;
	nonce: string;
	variantId: string;
	quantity: number;
}

interface DrawView {
	status: "open" | "waiting" | "drawn";
	beacon: string;
	entrants?: number;
	winners?: string[];
	runnersUp?: string[];
}

/** A live draw sale with sizes, taking entries until `endsAt`. */
function drawSale(overrides: Partial<SaleInput> = {}): Promise<string> {
	return fixture.shop.createSale({
		mode: "draw",
		startsAt: Date.now() - 1_000,
		variants: SIZES,
		totalStock: 3,
		maxPerUser: 2,
		...overrides,
	});
}

async function shopperOn(saleId: string): Promise<Page> {
	const context = await newShopper(fixture.browser);
	// Keeps every text the draw's clock shows, so a brief "Drawing…" is seen too.
	await context.addInitScript({ path: path.join(IN_PAGE, "clock-texts.js") });
	const page = await context.newPage();
	await openSale(page, fixture.shop, saleId);
	return page;
}

/** Picks a size (and a quantity) and presses Enter the draw. */
async function enterDraw(page: Page, variantId: string, quantity = 1): Promise<void> {
	await page.click(`.size[data-variant='${variantId}']`);
	await waitForOpen(page);
	if (quantity > 1) await page.selectOption("#quantity", String(quantity));
	await page.click("#buy");
}

async function entryOf(page: Page, saleId: string): Promise<Entry> {
	const response = await page.context().request.get(`${fixture.shop.origin}/api/sales/${saleId}/entry`);
	if (!response.ok()) throw new Error(`no entry: ${response.status()} ${await response.text()}`);
	return ((await response.json()) as { entry: Entry }).entry;
}

async function drawOf(saleId: string): Promise<DrawView> {
	const response = await fetch(`${fixture.shop.origin}/api/sales/${saleId}/draw`);
	return ((await response.json()) as { draw: DrawView }).draw;
}

/** The admin console in a browser, signed in, showing one sale. */
async function consoleOn(saleId: string): Promise<Page> {
	const context = await fixture.browser.newContext({ viewport: { width: 1280, height: 860 } });
	await context.addInitScript({ path: path.join(IN_PAGE, "csp-violations.js") });
	const page = await context.newPage();
	await page.goto(`${fixture.shop.origin}/admin/`);
	await page.fill("#token", process.env.ADMIN_TOKEN ?? "");
	await page.click("#sign-in-button");
	await page.waitForSelector("#workspace:not([hidden])");
	await page.goto(`${fixture.shop.origin}/admin/#sale/${saleId}`);
	return page;
}

/** The contract's commitment: hex(SHA-256(saleId \n userId \n nonce)). */
function commitment(saleId: string, userId: string, nonce: string): string {
	return createHash("sha256").update(`${saleId}\n${userId}\n${nonce}`).digest("hex");
}

describe("a draw sale, in the browser", () => {
	it("explains the draw, enters with a size and quantity, and a retry after a lost answer shows the same entry", async () => {
		const saleId = await drawSale({ endsAt: Date.now() + 3_600_000 });
		const page = await shopperOn(saleId);
		expect(await page.isVisible("#draw-how")).toBe(true);
		expect(await text(page, "#draw-how")).toMatch(/drand.*Anyone can check the result/s);
		expect(await text(page, "#buy")).toBe("Enter the draw");
		expect(await text(page, "#clock-label")).toBe("Draw in");
		expect(await page.isVisible("#verify")).toBe(true);
		expect(await text(page, "#verify-command")).toBe(
			`npx doorbuster-verify ${fixture.shop.origin} ${saleId} --allow-local`,
		);

		// The first entry reaches the server, but its answer is lost on the way back.
		let dropped = 0;
		await page.route("**/api/sales/*/entry", async (route) => {
			if (route.request().method() !== "POST" || dropped > 0) return route.continue();
			dropped++;
			await route.fetch();
			await route.abort("internetdisconnected");
		});
		await enterDraw(page, "us-9", 2);
		await waitForText(page, "#status", /^Network problem: we could not tell whether your entry arrived\./);
		expect(await page.isHidden("#draw-entry")).toBe(true);
		const made = await entryOf(page, saleId);

		await page.click("#buy");
		await waitForText(page, "#status", "You had already entered this draw; this is your entry.");
		expect(dropped).toBe(1);
		expect(await text(page, "#entry-commitment")).toBe(made.commitment);
		expect(await text(page, "#entry-size")).toBe("US 9");
		expect(await text(page, "#entry-quantity")).toBe("2");
		expect(await page.isHidden("#purchase")).toBe(true);
		expect(made).toMatchObject({ variantId: "us-9", quantity: 2 });

		// The verifier's command carries the buyer's own nonce and user id, which reproduce the commitment.
		const command = await text(page, "#verify-command");
		const match = command.match(/ --entry ([0-9a-f]{32}) --user (\S+)$/);
		expect(match?.[1]).toBe(made.nonce);
		expect(commitment(saleId, match?.[2] ?? "", made.nonce)).toBe(made.commitment);
		await snap(page, "draw-entered");

		// A reload shows the same entry.
		await openSale(page, fixture.shop, saleId);
		await waitForText(page, "#entry-commitment", made.commitment);
		expect(await page.isHidden("#purchase")).toBe(true);
		expect(await cspViolations(page)).toEqual([]);
		await page.context().close();
	});

	it("draws after the close: the winner sees You won with the held order and pays, the other Not this time", async () => {
		// One unit of US 10 and two entrants for it: exactly one wins, whatever the random number.
		const saleId = await drawSale({ endsAt: Date.now() + 15_000, holdSeconds: 120 });
		const pages = [await shopperOn(saleId), await shopperOn(saleId)];
		for (const page of pages) {
			await enterDraw(page, "us-10");
			await waitForText(page, "#status", /^You are in the draw\./);
		}
		const entries = await Promise.all(pages.map((page) => entryOf(page, saleId)));
		expect(await text(pages[0] as Page, "#clock-label")).toBe("Draw in");

		// The console shows the draw open, with the offline beacon; entrants are counted at the close.
		const admin = await consoleOn(saleId);
		await admin.waitForSelector("#draw-figures:not([hidden])");
		expect(await text(admin, "#draw-status")).toBe("Open");
		expect(await text(admin, "#draw-beacon")).toBe("Local (test)");
		expect(await text(admin, "#draw-entrants")).toBe("At the close");
		// The chart counts entries as they come, where a first-come sale shows its orders.
		expect(await text(admin, "#chart-title")).toBe("Entries per second");
		expect(await text(admin, "#chart-summary")).toMatch(
			/^Entries per second since .*: 2 entries in all, peak /,
		);

		for (const page of pages) await page.locator("#draw-outcome:not([hidden])").waitFor({ timeout: 30_000 });
		const draw = await drawOf(saleId);
		expect(draw).toMatchObject({ status: "drawn", beacon: "local", entrants: 2 });
		expect(draw.winners).toHaveLength(1);
		const winnerAt = entries.findIndex((entry) => entry.commitment === draw.winners?.[0]);
		expect(winnerAt).toBeGreaterThanOrEqual(0);
		const winner = pages[winnerAt] as Page;
		const loser = pages[1 - winnerAt] as Page;

		// The console follows: drawn, two entrants, one winner, and the verifier's command.
		await waitForText(admin, "#draw-status", "Drawn", 15_000);
		expect(await text(admin, "#draw-entrants")).toBe("2");
		expect(await text(admin, "#draw-winners")).toBe("1");
		expect(await text(admin, "#draw-note")).toContain(
			`npx doorbuster-verify ${fixture.shop.origin} ${saleId} --allow-local`,
		);
		expect(await cspViolations(admin)).toEqual([]);
		await snap(admin, "draw-console");
		await admin.context().close();

		for (const page of pages) {
			const shown = await page.evaluate<string[]>("globalThis.clockTexts");
			expect(shown).toContain("Drawing…");
			expect(await text(page, "#countdown")).toBe("Drawn");
		}

		expect(await text(winner, "#draw-outcome")).toBe("You won");
		await waitForText(winner, "#status", /^You won! Pay before the hold runs out/);
		const order = await orderOf(winner, fixture.shop, saleId);
		expect(order).toMatchObject({ status: "held", variantId: "us-10", quantity: 1 });
		expect(await text(winner, "#order-id")).toBe(order.id);
		expect(await text(winner, "#order-title")).toBe("Your hold");
		expect(await winner.isVisible("#order #pay")).toBe(true);
		await snap(winner, "draw-won");

		expect(await text(loser, "#draw-outcome")).toBe("Not this time");
		expect(await text(loser, "#status")).toBe("Not this time: your entry was not drawn.");
		expect(await loser.isHidden("#order")).toBe(true);
		const lost = await loser.context().request.get(`${fixture.shop.origin}/api/sales/${saleId}/order`);
		expect(lost.status()).toBe(404);
		await snap(loser, "draw-lost");

		// The winner pays on the test provider's page and comes back to a confirmed order, still "You won".
		await winner.click("#order #pay");
		await winner.waitForURL(`**/pay/test?sale=${saleId}`);
		await winner.click("#pay");
		await winner.waitForURL(`**/sales/${saleId}`);
		await waitForText(winner, "#status", "Paid. Your order is confirmed.");
		await waitForText(winner, "#draw-outcome", "You won");
		expect(await orderOf(winner, fixture.shop, saleId)).toMatchObject({ id: order.id, status: "confirmed" });

		for (const page of pages) {
			expect(await cspViolations(page)).toEqual([]);
			await page.context().close();
		}
	});

	it("gives a unit the winner cancels to the other entrant, whose page turns from Not this time to You won", async () => {
		const saleId = await drawSale({ endsAt: Date.now() + 10_000, holdSeconds: 120 });
		const pages = [await shopperOn(saleId), await shopperOn(saleId)];
		for (const page of pages) {
			await enterDraw(page, "us-10");
			await waitForText(page, "#status", /^You are in the draw\./);
		}
		for (const page of pages) await page.locator("#draw-outcome:not([hidden])").waitFor({ timeout: 30_000 });
		const winners = (await drawOf(saleId)).winners ?? [];
		const firstEntry = await entryOf(pages[0] as Page, saleId);
		const winner = (winners[0] === firstEntry.commitment ? pages[0] : pages[1]) as Page;
		const runnerUp = (winner === pages[0] ? pages[1] : pages[0]) as Page;
		await waitForText(runnerUp, "#draw-outcome", "Not this time");

		await winner.click("#cancel-hold");
		await waitForText(winner, "#status", /cancelled/);
		// The page looks again every 10 s for an offer; the contract hands the unit over at once.
		await waitForText(runnerUp, "#draw-outcome", "You won", 30_000);
		await waitForText(runnerUp, "#status", /^You won! Pay before the hold runs out/);
		expect(await runnerUp.isVisible("#order #pay")).toBe(true);
		const order = await orderOf(runnerUp, fixture.shop, saleId);
		expect(order).toMatchObject({ status: "held", variantId: "us-10" });
		expect(await text(runnerUp, "#order-id")).toBe(order.id);
		expect((await drawOf(saleId)).runnersUp).toEqual([(await entryOf(runnerUp, saleId)).commitment]);
		for (const page of pages) await page.context().close();
	});
});
