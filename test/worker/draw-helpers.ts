import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import type { Sale, SaleInput } from "../../src/domain/sale";
import type { DrawDocuments } from "../../src/draw/verify-draw";
import type { DrawView, Entry } from "../../src/sale-object";
import { type Buyer, call, saleInput, uniqueSaleId } from "./helpers";

/** Sizes of a draw sale: two units of one, one of the other, as in the contract's test vector. */
export const DRAW_SIZES = [
	{ id: "us-9", name: "US 9", totalStock: 2 },
	{ id: "us-10", name: "US 10", totalStock: 1 },
];

/**
 * Creates a draw sale through the admin API with the Worker's beacon
 * setting `beacon` ("" is drand-quicknet, the default); live now unless
 * `overrides` say otherwise.
 */
export async function createDrawSale(
	label: string,
	overrides: Partial<SaleInput> = {},
	beacon: "" | "local" = "local",
	extra: Partial<Env> = {},
): Promise<Sale> {
	const response = await call("PUT", `/admin/sales/${uniqueSaleId(label)}`, {
		token: env.ADMIN_TOKEN,
		// A minute's window: tests move the clock past the end, and sessions last an hour.
		body: saleInput({
			mode: "draw",
			variants: DRAW_SIZES,
			totalStock: 3,
			endsAt: Date.now() + 60_000,
			...overrides,
		}),
		bindings: { ...env, DRAW_BEACON: beacon, ...extra },
	});
	if (response.status !== 201) throw new Error(`createDrawSale: ${response.status} ${await response.text()}`);
	return (await response.json<{ sale: Sale }>()).sale;
}

/** Token, then entry: what one press of Enter does. */
export async function enter(
	buyer: Buyer,
	saleId: string,
	body: { variantId?: string; quantity?: number } = { variantId: "us-9" },
): Promise<Response> {
	const purchaseToken = await buyer.purchaseToken(saleId);
	return buyer.post(saleId, "entry", { purchaseToken, ...body });
}

/** The buyer's entry, created or returned. */
export async function entryOf(response: Response): Promise<Entry> {
	if (response.status !== 201 && response.status !== 200) {
		throw new Error(`entry: ${response.status} ${await response.text()}`);
	}
	return (await response.json<{ entry: Entry }>()).entry;
}

export async function drawView(saleId: string): Promise<DrawView> {
	const response = await call("GET", `/api/sales/${saleId}/draw`);
	if (response.status !== 200) throw new Error(`draw: ${response.status} ${await response.text()}`);
	return (await response.json<{ draw: DrawView }>()).draw;
}

/** Everything a verifier reads, through the public API, every page of entrants at `limit` a page. */
export async function drawDocuments(saleId: string, limit = 1_000): Promise<DrawDocuments> {
	const sale = await (await call("GET", `/api/sales/${saleId}`)).json();
	const draw = await (await call("GET", `/api/sales/${saleId}/draw`)).json();
	const entrants: unknown[] = [];
	let cursor = "";
	for (;;) {
		const response = await call("GET", `/api/sales/${saleId}/draw/entrants?cursor=${cursor}&limit=${limit}`);
		const page = await response.json<{ entrants: unknown[]; nextCursor: string | null }>();
		entrants.push(...page.entrants);
		if (page.nextCursor === null) break;
		cursor = page.nextCursor;
	}
	return { saleId, sale, draw, entrants };
}

/** Moves the clock of the test and of the sale's object (they share an isolate) to `at`. */
export function clockAt(at: number): void {
	vi.useFakeTimers({ toFake: ["Date"] });
	vi.setSystemTime(at);
}

/**
 * Delivers the sale object's alarm until its draw is `status`; each delivery
 * stands for the time it was set for. Fails if the alarm runs out first.
 */
export async function runAlarmsUntilDraw(saleId: string, status: DrawView["status"]): Promise<DrawView> {
	const gate = env.SALE_GATE.getByName(saleId);
	for (let run = 0; run < 50; run++) {
		const view = await drawView(saleId);
		if (view.status === status) return view;
		if (!(await runDurableObjectAlarm(gate))) break;
	}
	const view = await drawView(saleId);
	if (view.status !== status)
		throw new Error(`the draw is ${view.status}, not ${status}, and the alarm ran out`);
	return view;
}
