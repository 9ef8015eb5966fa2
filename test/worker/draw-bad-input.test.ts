import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { issuePurchaseToken } from "../../src/auth/purchase-token";
import { clockAt, createDrawSale, drawView, enter, entryOf } from "./draw-helpers";
import { admin, Buyer, call, createSale, saleInput, uniqueSaleId } from "./helpers";
import { truth } from "./hold-helpers";

afterEach(() => {
	vi.useRealTimers();
});

interface Case {
	name: string;
	method: string;
	path: string;
	/** A session token; none when absent. */
	session?: string;
	body?: unknown;
	status: number;
	code: string;
}

/** What went wrong with one case, or null if it got its documented answer (never a stack trace). */
async function failureOf(testCase: Case): Promise<string | null> {
	const response = await call(testCase.method, testCase.path, {
		body: testCase.body,
		token: testCase.session,
	});
	const text = await response.text();
	expect(text).not.toMatch(/at \S+ \(|\.ts:\d+/);
	let code: string | undefined;
	try {
		code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
	} catch {
		code = undefined;
	}
	return response.status === testCase.status && code === testCase.code
		? null
		: `${testCase.name}: ${response.status} ${text.slice(0, 160)}`;
}

/** Everything a draw sale shows that a refused request must leave as it was. */
async function drawState(saleId: string) {
	return { sale: await truth(saleId), draw: await drawView(saleId) };
}

describe("bad input to draws", () => {
	it("answers each refused entry and draw call per contract, and changes nothing", async () => {
		const sale = await createDrawSale("draw-matrix", { maxPerUser: 2 });
		const race = await createSale("draw-matrix-race");
		const entrant = await Buyer.named("draw-matrix-entrant");
		const first = await entryOf(await enter(entrant, sale.id, { variantId: "us-9", quantity: 1 }));
		const newcomer = await Buyer.named("draw-matrix-newcomer");
		const token = await newcomer.purchaseToken(sale.id);
		const otherSaleToken = await newcomer.purchaseToken(race.id);
		const someoneElsesToken = await entrant.purchaseToken(sale.id);
		const S = `/api/sales/${sale.id}`;
		const R = `/api/sales/${race.id}`;
		const as = (name: string, body: unknown, status: number, code: string, path = `${S}/entry`): Case => ({
			name,
			method: "POST",
			path,
			session: newcomer.session,
			body,
			status,
			code,
		});
		const cases: Case[] = [
			as("entry without a token", { variantId: "us-9" }, 400, "invalid_request"),
			as(
				"entry with a forged token",
				{ purchaseToken: `${token}x`, variantId: "us-9" },
				403,
				"invalid_token",
			),
			as(
				"entry with another sale's token",
				{ purchaseToken: otherSaleToken, variantId: "us-9" },
				403,
				"invalid_token",
			),
			as(
				"entry with another buyer's token",
				{ purchaseToken: someoneElsesToken, variantId: "us-9" },
				403,
				"invalid_token",
			),
			as("entry for an unknown size", { purchaseToken: token, variantId: "us-11" }, 400, "invalid_request"),
			as("entry for a malformed size", { purchaseToken: token, variantId: "US 9" }, 400, "invalid_request"),
			as("entry naming no size in a sale of two", { purchaseToken: token }, 400, "invalid_request"),
			as(
				"entry for 0 units",
				{ purchaseToken: token, variantId: "us-9", quantity: 0 },
				400,
				"invalid_request",
			),
			as(
				"entry for -1 units",
				{ purchaseToken: token, variantId: "us-9", quantity: -1 },
				400,
				"invalid_request",
			),
			as(
				"entry for 1.5 units",
				{ purchaseToken: token, variantId: "us-9", quantity: 1.5 },
				400,
				"invalid_request",
			),
			as(
				"entry over the per-buyer limit",
				{ purchaseToken: token, variantId: "us-9", quantity: 3 },
				400,
				"invalid_request",
			),
			as(
				"entry for more than the size has",
				{ purchaseToken: token, variantId: "us-10", quantity: 2 },
				400,
				"invalid_request",
			),
			as(
				"entry for 1001 units",
				{ purchaseToken: token, variantId: "us-9", quantity: 1_001 },
				400,
				"invalid_request",
			),
			as(
				"entry for a string quantity",
				{ purchaseToken: token, variantId: "us-9", quantity: "1" },
				400,
				"invalid_request",
			),
			as(
				"purchase in a draw",
				{ purchaseToken: token, variantId: "us-9" },
				409,
				"draw_sale",
				`${S}/purchase`,
			),
			as(
				"waitlist in a draw",
				{ purchaseToken: token, variantId: "us-9" },
				409,
				"draw_sale",
				`${S}/waitlist`,
			),
			as("entry in a first-come sale", { purchaseToken: otherSaleToken }, 409, "not_a_draw", `${R}/entry`),
			as(
				"entry in an unknown sale",
				{ purchaseToken: token },
				404,
				"sale_not_found",
				"/api/sales/no-such-draw/entry",
			),
			{
				name: "entry without a session",
				method: "POST",
				path: `${S}/entry`,
				body: { purchaseToken: token },
				status: 401,
				code: "unauthenticated",
			},
			{
				name: "own entry without a session",
				method: "GET",
				path: `${S}/entry`,
				status: 401,
				code: "unauthenticated",
			},
			{
				name: "own entry when none",
				method: "GET",
				path: `${S}/entry`,
				session: newcomer.session,
				status: 404,
				code: "no_entry",
			},
			{
				name: "own entry in a first-come sale",
				method: "GET",
				path: `${R}/entry`,
				session: newcomer.session,
				status: 409,
				code: "not_a_draw",
			},
			{
				name: "draw of a first-come sale",
				method: "GET",
				path: `${R}/draw`,
				status: 409,
				code: "not_a_draw",
			},
			{
				name: "entrants of a first-come sale",
				method: "GET",
				path: `${R}/draw/entrants`,
				status: 409,
				code: "not_a_draw",
			},
			{
				name: "ndjson of a first-come sale",
				method: "GET",
				path: `${R}/draw/entrants.ndjson`,
				status: 409,
				code: "not_a_draw",
			},
			{
				name: "draw of an unknown sale",
				method: "GET",
				path: "/api/sales/no-such-draw/draw",
				status: 404,
				code: "sale_not_found",
			},
			{
				name: "entrants before the end",
				method: "GET",
				path: `${S}/draw/entrants`,
				status: 425,
				code: "not_started",
			},
			{
				name: "ndjson before the end",
				method: "GET",
				path: `${S}/draw/entrants.ndjson`,
				status: 425,
				code: "not_started",
			},
			{
				name: "entrants cursor not hex",
				method: "GET",
				path: `${S}/draw/entrants?cursor=zz`,
				status: 400,
				code: "invalid_request",
			},
			{
				name: "entrants limit 0",
				method: "GET",
				path: `${S}/draw/entrants?limit=0`,
				status: 400,
				code: "invalid_request",
			},
			{
				name: "entrants limit 1001",
				method: "GET",
				path: `${S}/draw/entrants?limit=1001`,
				status: 400,
				code: "invalid_request",
			},
			{ name: "POST draw", method: "POST", path: `${S}/draw`, status: 405, code: "method_not_allowed" },
			{
				name: "DELETE entry",
				method: "DELETE",
				path: `${S}/entry`,
				session: newcomer.session,
				status: 405,
				code: "method_not_allowed",
			},
		];
		const before = await drawState(sale.id);
		const failures: string[] = [];
		for (const testCase of cases) {
			const failure = await failureOf(testCase);
			if (failure) failures.push(failure);
		}
		expect(failures).toEqual([]);
		expect(await drawState(sale.id)).toEqual(before);
		expect(before.draw).toMatchObject({ status: "open" });
		expect((await truth(race.id)).remaining).toBe(10);

		// A duplicate entry is the first one again, and counts once.
		const again = await enter(entrant, sale.id, { variantId: "us-10", quantity: 2 });
		expect(again.status).toBe(200);
		expect(await entryOf(again)).toEqual(first);
		// The token none of the refused calls could use still enters.
		expect((await newcomer.post(sale.id, "entry", { purchaseToken: token, variantId: "us-10" })).status).toBe(
			201,
		);
	});

	it("refuses entries after the close and changes to a draw sale once entries began, and keeps the list", async () => {
		const sale = await createDrawSale("draw-closed");
		const entrant = await Buyer.named("draw-closed-entrant");
		await entryOf(await enter(entrant, sale.id));
		const changed = await admin("PUT", `/sales/${sale.id}`, saleInput({ mode: "draw", totalStock: 100 }));
		expect(changed.status).toBe(409);
		expect((await changed.json<{ error: { code: string } }>()).error.code).toBe("sale_started");

		const late = await Buyer.named("draw-closed-late");
		const purchaseToken = await issuePurchaseToken(
			env.SESSION_SECRET,
			sale.id,
			late.userId,
			sale.endsAt + 30_000,
		);
		clockAt(sale.endsAt);
		const frozen = await drawState(sale.id);
		const refused = await late.post(sale.id, "entry", { purchaseToken, variantId: "us-9" });
		expect(refused.status).toBe(410);
		expect((await refused.json<{ error: { code: string } }>()).error.code).toBe("ended");
		expect((await late.requestToken(sale.id)).status).toBe(410);
		expect(await drawState(sale.id)).toEqual(frozen);
		expect(frozen.draw.entrants).toBe(1);
	});

	it("refuses a draw sale on the local beacon unless ALLOW_TEST_PROVIDERS=1, and creates nothing", async () => {
		const saleId = uniqueSaleId("draw-local-refused");
		const response = await call("PUT", `/admin/sales/${saleId}`, {
			token: env.ADMIN_TOKEN,
			body: saleInput({ mode: "draw" }),
			bindings: { ...env, DRAW_BEACON: "local", ALLOW_TEST_PROVIDERS: "" },
		});
		expect(response.status).toBe(400);
		expect((await response.json<{ error: { message: string } }>()).error.message).toContain(
			"ALLOW_TEST_PROVIDERS",
		);
		expect((await admin("GET", `/sales/${saleId}`)).status).toBe(404);
	});
});
