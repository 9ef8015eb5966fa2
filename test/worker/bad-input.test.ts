import { env } from "cloudflare:workers";
import { sign } from "hono/jwt";
import type { JWTPayload } from "hono/utils/jwt/types";
import { beforeAll, describe, expect, it } from "vitest";
import { issuePurchaseToken } from "../../src/auth/purchase-token";
import type { Sale } from "../../src/domain/sale";
import {
	admin,
	Buyer,
	call,
	createSale,
	orderBookRows,
	saleInput,
	saleStats,
	sessionToken,
	uniqueSaleId,
} from "./helpers";
import { createHoldSale, orderOf, truth } from "./hold-helpers";

interface Case {
	name: string;
	method: string;
	path: string;
	auth?: "buyer" | "admin" | string;
	body?: unknown;
	raw?: string;
	headers?: Record<string, string>;
	status: number;
	code: string;
}

const TURNSTILE = { turnstileToken: "XXXX.DUMMY.TOKEN.XXXX" };
const now = () => Math.floor(Date.now() / 1000);
const jsonWithout = (headers: Record<string, string>) => ({ "content-type": "text/plain", ...headers });

let sale: Sale;
let other: Sale;
let buyer: Buyer;
let token: string;
let cases: Case[];

beforeAll(async () => {
	sale = await createSale("matrix", { totalStock: 5, maxPerUser: 2 });
	other = await createSale("matrix-other");
	buyer = await Buyer.named("matrix-buyer");
	token = await buyer.purchaseToken(sale.id);
	const otherToken = await buyer.purchaseToken(other.id);
	const secret = env.SESSION_SECRET;
	const [payload, signature = ""] = token.split(".");
	const tampered = `${payload}.${signature.startsWith("A") ? "B" : "A"}${signature.slice(1)}`;
	const session = (claims: Record<string, unknown>, alg: "HS256" | "HS512" = "HS256") =>
		sign({ exp: now() + 600, ...claims }, secret, alg);
	const unsigned = `${btoa('{"alg":"none","typ":"JWT"}').replace(/=+$/, "")}.${btoa(
		JSON.stringify({ sub: "x", exp: now() + 600 }),
	).replace(/=+$/, "")}.`;
	const S = `/api/sales/${sale.id}`;
	const A = `/admin/sales/${sale.id}`;
	const bad = (overrides: Record<string, unknown>) => ({ ...saleInput(), ...overrides });

	cases = [
		// Guest sign-in
		{
			name: "empty body",
			method: "POST",
			path: "/api/session",
			raw: "",
			status: 400,
			code: "invalid_request",
		},
		{
			name: "malformed JSON",
			method: "POST",
			path: "/api/session",
			raw: "{",
			status: 400,
			code: "invalid_request",
		},
		{
			name: "JSON null",
			method: "POST",
			path: "/api/session",
			raw: "null",
			status: 400,
			code: "invalid_request",
		},
		{
			name: "JSON array",
			method: "POST",
			path: "/api/session",
			body: [TURNSTILE],
			status: 400,
			code: "invalid_request",
		},
		{
			name: "token is a number",
			method: "POST",
			path: "/api/session",
			body: { turnstileToken: 7 },
			status: 400,
			code: "invalid_request",
		},
		{
			name: "token is empty",
			method: "POST",
			path: "/api/session",
			body: { turnstileToken: "" },
			status: 400,
			code: "invalid_request",
		},
		{
			name: "token is 5000 chars, over Turnstile's 2,048",
			method: "POST",
			path: "/api/session",
			body: { turnstileToken: "x".repeat(5000) },
			status: 403,
			code: "bot_check_failed",
		},
		{
			name: "text/plain body",
			method: "POST",
			path: "/api/session",
			raw: JSON.stringify(TURNSTILE),
			headers: jsonWithout({}),
			status: 415,
			code: "unsupported_media_type",
		},
		{
			name: "form body",
			method: "POST",
			path: "/api/session",
			raw: "turnstileToken=x",
			headers: { "content-type": "application/x-www-form-urlencoded" },
			status: 415,
			code: "unsupported_media_type",
		},
		{
			name: "17 KiB body",
			method: "POST",
			path: "/api/session",
			body: { turnstileToken: "x".repeat(17 * 1024) },
			status: 413,
			code: "payload_too_large",
		},
		{ name: "GET session", method: "GET", path: "/api/session", status: 405, code: "method_not_allowed" },
		// Purchase tokens: identity
		{
			name: "no session",
			method: "POST",
			path: `${S}/purchase-token`,
			body: TURNSTILE,
			status: 401,
			code: "unauthenticated",
		},
		{
			name: "garbage bearer",
			method: "POST",
			path: `${S}/purchase-token`,
			auth: "garbage",
			body: TURNSTILE,
			status: 401,
			code: "unauthenticated",
		},
		{
			name: "empty sub",
			method: "POST",
			path: `${S}/purchase-token`,
			auth: await session({ sub: "" }),
			body: TURNSTILE,
			status: 401,
			code: "unauthenticated",
		},
		{
			name: "129-char sub",
			method: "POST",
			path: `${S}/purchase-token`,
			auth: await session({ sub: "u".repeat(129) }),
			body: TURNSTILE,
			status: 401,
			code: "unauthenticated",
		},
		{
			name: "numeric sub",
			method: "POST",
			path: `${S}/purchase-token`,
			auth: await session({ sub: 42 }),
			body: TURNSTILE,
			status: 401,
			code: "unauthenticated",
		},
		{
			name: "HS512 session",
			method: "POST",
			path: `${S}/purchase-token`,
			auth: await session({ sub: "x" }, "HS512"),
			body: TURNSTILE,
			status: 401,
			code: "unauthenticated",
		},
		{
			name: "alg none session",
			method: "POST",
			path: `${S}/purchase-token`,
			auth: unsigned,
			body: TURNSTILE,
			status: 401,
			code: "unauthenticated",
		},
		{
			name: "iat an hour ahead",
			method: "POST",
			path: `${S}/purchase-token`,
			auth: await session({ sub: "x", iat: now() + 3600 }),
			body: TURNSTILE,
			status: 401,
			code: "unauthenticated",
		},
		{
			name: "nbf an hour ahead",
			method: "POST",
			path: `${S}/purchase-token`,
			auth: await session({ sub: "x", nbf: now() + 3600 }),
			body: TURNSTILE,
			status: 401,
			code: "unauthenticated",
		},
		{
			name: "exp is a string",
			method: "POST",
			path: `${S}/purchase-token`,
			auth: await sign({ sub: "x", exp: "later" } as unknown as JWTPayload, secret, "HS256"),
			body: TURNSTILE,
			status: 401,
			code: "unauthenticated",
		},
		{
			name: "two Authorization values",
			method: "POST",
			path: `${S}/purchase-token`,
			headers: { authorization: `Bearer ${await sessionToken("x")}, Bearer other` },
			body: TURNSTILE,
			status: 401,
			code: "unauthenticated",
		},
		// Purchase tokens: input and sale id
		{
			name: "token request without Turnstile",
			method: "POST",
			path: `${S}/purchase-token`,
			auth: "buyer",
			body: {},
			status: 400,
			code: "invalid_request",
		},
		{
			name: "token request as form",
			method: "POST",
			path: `${S}/purchase-token`,
			auth: "buyer",
			raw: "turnstileToken=x",
			headers: { "content-type": "multipart/form-data; boundary=x" },
			status: 415,
			code: "unsupported_media_type",
		},
		{
			name: "token request malformed JSON",
			method: "POST",
			path: `${S}/purchase-token`,
			auth: "buyer",
			raw: '{"turnstileToken":',
			status: 400,
			code: "invalid_request",
		},
		{
			name: "unknown sale",
			method: "POST",
			path: "/api/sales/no-such-sale/purchase-token",
			auth: "buyer",
			body: TURNSTILE,
			status: 404,
			code: "sale_not_found",
		},
		{
			name: "uppercase sale id",
			method: "POST",
			path: "/api/sales/MATRIX/purchase-token",
			auth: "buyer",
			body: TURNSTILE,
			status: 404,
			code: "sale_not_found",
		},
		{
			name: "path traversal in slug",
			method: "POST",
			path: "/api/sales/..%2F..%2Fadmin/purchase-token",
			auth: "buyer",
			body: TURNSTILE,
			status: 404,
			code: "sale_not_found",
		},
		{
			name: "unicode sale id",
			method: "POST",
			path: `/api/sales/${encodeURIComponent("ñandú")}/purchase-token`,
			auth: "buyer",
			body: TURNSTILE,
			status: 404,
			code: "sale_not_found",
		},
		{
			name: "64-char sale id",
			method: "POST",
			path: `/api/sales/${"a".repeat(64)}/purchase-token`,
			auth: "buyer",
			body: TURNSTILE,
			status: 404,
			code: "sale_not_found",
		},
		{ name: "NUL in sale id", method: "GET", path: "/api/sales/%00", status: 404, code: "sale_not_found" },
		{ name: "dots in sale id", method: "GET", path: "/api/sales/a..b", status: 404, code: "sale_not_found" },
		{
			name: "PUT purchase-token",
			method: "PUT",
			path: `${S}/purchase-token`,
			auth: "buyer",
			body: TURNSTILE,
			status: 405,
			code: "method_not_allowed",
		},
		// Purchases
		{
			name: "purchase without token",
			method: "POST",
			path: `${S}/purchase`,
			auth: "buyer",
			body: {},
			status: 400,
			code: "invalid_request",
		},
		{
			name: "purchase token is a number",
			method: "POST",
			path: `${S}/purchase`,
			auth: "buyer",
			body: { purchaseToken: 1 },
			status: 400,
			code: "invalid_request",
		},
		{
			name: "purchase token empty",
			method: "POST",
			path: `${S}/purchase`,
			auth: "buyer",
			body: { purchaseToken: "" },
			status: 400,
			code: "invalid_request",
		},
		{
			name: "purchase token 2000 chars",
			method: "POST",
			path: `${S}/purchase`,
			auth: "buyer",
			body: { purchaseToken: "t".repeat(2000) },
			status: 400,
			code: "invalid_request",
		},
		{
			name: "quantity 0",
			method: "POST",
			path: `${S}/purchase`,
			auth: "buyer",
			body: { purchaseToken: token, quantity: 0 },
			status: 400,
			code: "invalid_request",
		},
		{
			name: "quantity -1",
			method: "POST",
			path: `${S}/purchase`,
			auth: "buyer",
			body: { purchaseToken: token, quantity: -1 },
			status: 400,
			code: "invalid_request",
		},
		{
			name: "quantity 1.5",
			method: "POST",
			path: `${S}/purchase`,
			auth: "buyer",
			body: { purchaseToken: token, quantity: 1.5 },
			status: 400,
			code: "invalid_request",
		},
		{
			name: "quantity as string",
			method: "POST",
			path: `${S}/purchase`,
			auth: "buyer",
			body: { purchaseToken: token, quantity: "1" },
			status: 400,
			code: "invalid_request",
		},
		{
			name: "quantity 1e308",
			method: "POST",
			path: `${S}/purchase`,
			auth: "buyer",
			raw: `{"purchaseToken":"${token}","quantity":1e308}`,
			status: 400,
			code: "invalid_request",
		},
		{
			name: "quantity 2^53",
			method: "POST",
			path: `${S}/purchase`,
			auth: "buyer",
			body: { purchaseToken: token, quantity: 2 ** 53 },
			status: 400,
			code: "invalid_request",
		},
		{
			name: "quantity null",
			method: "POST",
			path: `${S}/purchase`,
			auth: "buyer",
			body: { purchaseToken: token, quantity: null },
			status: 400,
			code: "invalid_request",
		},
		{
			name: "quantity above maxPerUser",
			method: "POST",
			path: `${S}/purchase`,
			auth: "buyer",
			body: { purchaseToken: token, quantity: 3 },
			status: 400,
			code: "invalid_request",
		},
		{
			name: "tampered purchase token",
			method: "POST",
			path: `${S}/purchase`,
			auth: "buyer",
			body: { purchaseToken: tampered },
			status: 403,
			code: "invalid_token",
		},
		{
			name: "another sale's token",
			method: "POST",
			path: `${S}/purchase`,
			auth: "buyer",
			body: { purchaseToken: otherToken },
			status: 403,
			code: "invalid_token",
		},
		{
			name: "token with an extra segment",
			method: "POST",
			path: `${S}/purchase`,
			auth: "buyer",
			body: { purchaseToken: `${token}.x` },
			status: 403,
			code: "invalid_token",
		},
		{
			name: "token not base64",
			method: "POST",
			path: `${S}/purchase`,
			auth: "buyer",
			body: { purchaseToken: "!!!.???" },
			status: 403,
			code: "invalid_token",
		},
		{
			name: "expired purchase token",
			method: "POST",
			path: `${S}/purchase`,
			auth: "buyer",
			body: { purchaseToken: await issuePurchaseToken(secret, sale.id, buyer.userId, Date.now() - 1) },
			status: 403,
			code: "invalid_token",
		},
		{
			name: "another buyer's token",
			method: "POST",
			path: `${S}/purchase`,
			auth: await sessionToken("thief"),
			body: { purchaseToken: token },
			status: 403,
			code: "invalid_token",
		},
		{
			name: "purchase without session",
			method: "POST",
			path: `${S}/purchase`,
			body: { purchaseToken: token },
			status: 401,
			code: "unauthenticated",
		},
		{
			name: "purchase with expired session",
			method: "POST",
			path: `${S}/purchase`,
			auth: await sessionToken(buyer.userId, -5),
			body: { purchaseToken: token },
			status: 401,
			code: "unauthenticated",
		},
		{
			name: "purchase as text/plain",
			method: "POST",
			path: `${S}/purchase`,
			auth: "buyer",
			raw: JSON.stringify({ purchaseToken: token }),
			headers: jsonWithout({}),
			status: 415,
			code: "unsupported_media_type",
		},
		{
			name: "GET purchase",
			method: "GET",
			path: `${S}/purchase`,
			auth: "buyer",
			status: 405,
			code: "method_not_allowed",
		},
		// Orders and sale views
		{
			name: "order without session",
			method: "GET",
			path: `${S}/order`,
			status: 401,
			code: "unauthenticated",
		},
		{
			name: "order before buying",
			method: "GET",
			path: `${S}/order`,
			auth: "buyer",
			status: 404,
			code: "no_order",
		},
		{
			name: "order in unknown sale",
			method: "GET",
			path: "/api/sales/no-such-sale/order",
			auth: "buyer",
			status: 404,
			code: "no_order",
		},
		{
			name: "POST order",
			method: "POST",
			path: `${S}/order`,
			auth: "buyer",
			body: {},
			status: 405,
			code: "method_not_allowed",
		},
		{ name: "DELETE sale view", method: "DELETE", path: S, status: 405, code: "method_not_allowed" },
		{ name: "unknown API path", method: "GET", path: "/api/does-not-exist", status: 404, code: "not_found" },
		{ name: "unknown sub-resource", method: "GET", path: `${S}/secrets`, status: 404, code: "not_found" },
		// Admin
		{
			name: "admin without token",
			method: "PUT",
			path: A,
			body: saleInput(),
			status: 401,
			code: "unauthenticated",
		},
		{
			name: "admin with wrong token",
			method: "PUT",
			path: A,
			auth: "not-the-admin-token",
			body: saleInput(),
			status: 401,
			code: "unauthenticated",
		},
		{
			name: "admin token twice",
			method: "GET",
			path: "/admin/sales",
			headers: { authorization: `Bearer ${env.ADMIN_TOKEN}, Bearer ${env.ADMIN_TOKEN}` },
			status: 401,
			code: "unauthenticated",
		},
		{
			name: "admin token as a buyer session",
			method: "GET",
			path: "/admin/sales",
			auth: "buyer",
			status: 401,
			code: "unauthenticated",
		},
		{
			name: "create with a bad slug",
			method: "PUT",
			path: "/admin/sales/Bad_Slug",
			auth: "admin",
			body: saleInput(),
			status: 400,
			code: "invalid_request",
		},
		{
			name: "create with traversal slug",
			method: "PUT",
			path: "/admin/sales/..%2Fsales",
			auth: "admin",
			body: saleInput(),
			status: 400,
			code: "invalid_request",
		},
		{
			name: "ends before it starts",
			method: "PUT",
			path: "/admin/sales/matrix-new",
			auth: "admin",
			body: bad({ startsAt: 2000, endsAt: 1000 }),
			status: 400,
			code: "invalid_request",
		},
		{
			name: "ends when it starts",
			method: "PUT",
			path: "/admin/sales/matrix-new",
			auth: "admin",
			body: bad({ startsAt: 2000, endsAt: 2000 }),
			status: 400,
			code: "invalid_request",
		},
		{
			name: "stock 1e20",
			method: "PUT",
			path: "/admin/sales/matrix-new",
			auth: "admin",
			body: bad({ totalStock: 1e20 }),
			status: 400,
			code: "invalid_request",
		},
		{
			name: "stock zero",
			method: "PUT",
			path: "/admin/sales/matrix-new",
			auth: "admin",
			body: bad({ totalStock: 0 }),
			status: 400,
			code: "invalid_request",
		},
		{
			name: "price as string",
			method: "PUT",
			path: "/admin/sales/matrix-new",
			auth: "admin",
			body: bad({ priceCents: "12900" }),
			status: 400,
			code: "invalid_request",
		},
		{
			name: "name 300 chars",
			method: "PUT",
			path: "/admin/sales/matrix-new",
			auth: "admin",
			body: bad({ name: "n".repeat(300) }),
			status: 400,
			code: "invalid_request",
		},
		{
			name: "lowercase currency",
			method: "PUT",
			path: "/admin/sales/matrix-new",
			auth: "admin",
			body: bad({ currency: "usd" }),
			status: 400,
			code: "invalid_request",
		},
		{
			name: "maxPerUser 5000",
			method: "PUT",
			path: "/admin/sales/matrix-new",
			auth: "admin",
			body: bad({ maxPerUser: 5000 }),
			status: 400,
			code: "invalid_request",
		},
		{
			name: "negative startsAt",
			method: "PUT",
			path: "/admin/sales/matrix-new",
			auth: "admin",
			body: bad({ startsAt: -1 }),
			status: 400,
			code: "invalid_request",
		},
		{
			name: "create as text/plain",
			method: "PUT",
			path: "/admin/sales/matrix-new",
			auth: "admin",
			raw: JSON.stringify(saleInput()),
			headers: jsonWithout({}),
			status: 415,
			code: "unsupported_media_type",
		},
		{
			name: "create with 20 KiB description",
			method: "PUT",
			path: "/admin/sales/matrix-new",
			auth: "admin",
			body: bad({ description: "d".repeat(20_000) }),
			status: 413,
			code: "payload_too_large",
		},
		{
			name: "replace a started sale",
			method: "PUT",
			path: A,
			auth: "admin",
			body: saleInput({ totalStock: 500 }),
			status: 409,
			code: "sale_started",
		},
		{
			name: "orders limit -1",
			method: "GET",
			path: `${A}/orders?limit=-1`,
			auth: "admin",
			status: 400,
			code: "invalid_request",
		},
		{
			name: "orders limit abc",
			method: "GET",
			path: `${A}/orders?limit=abc`,
			auth: "admin",
			status: 400,
			code: "invalid_request",
		},
		{
			name: "orders cursor 1e5",
			method: "GET",
			path: `${A}/orders?cursor=1e5`,
			auth: "admin",
			status: 400,
			code: "invalid_request",
		},
		{
			name: "reconcile unknown sale",
			method: "POST",
			path: "/admin/sales/no-such-sale/reconcile",
			auth: "admin",
			status: 404,
			code: "sale_not_found",
		},
		{
			name: "DELETE sales list",
			method: "DELETE",
			path: "/admin/sales",
			auth: "admin",
			status: 405,
			code: "method_not_allowed",
		},
		{
			name: "POST orders",
			method: "POST",
			path: `${A}/orders`,
			auth: "admin",
			body: {},
			status: 405,
			code: "method_not_allowed",
		},
		{
			name: "unknown admin path",
			method: "GET",
			path: `${A}/export`,
			auth: "admin",
			status: 404,
			code: "not_found",
		},
	];
});

/** Sends one case as the real Worker would get it; returns what went wrong, if anything. */
async function failureOf(testCase: Case, buyerSession: string): Promise<string | null> {
	const headers: Record<string, string> = { ...testCase.headers };
	if (testCase.raw !== undefined && !headers["content-type"]) headers["content-type"] = "application/json";
	const token =
		testCase.auth === "buyer" ? buyerSession : testCase.auth === "admin" ? env.ADMIN_TOKEN : testCase.auth;
	const response = await call(testCase.method, testCase.path, {
		body: testCase.body,
		rawBody: testCase.raw,
		headers,
		token,
	});
	const text = await response.text();
	let code: string | undefined;
	try {
		code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
	} catch {
		code = undefined;
	}
	expect(text).not.toMatch(/at \S+ \(|\.ts:\d+/);
	return response.status !== testCase.status || code !== testCase.code
		? `${testCase.name}: ${response.status} ${text.slice(0, 120)}`
		: null;
}

describe("hostile and malformed requests", () => {
	it("answers each with its documented status and code, and changes nothing", async () => {
		expect(cases.length).toBeGreaterThanOrEqual(60);
		const before = { stats: await saleStats(sale.id), rows: await orderBookRows(sale.id) };

		const failures: string[] = [];
		for (const testCase of cases) {
			const failure = await failureOf(testCase, buyer.session);
			if (failure) failures.push(failure);
		}
		expect(failures).toEqual([]);

		expect(await saleStats(sale.id)).toEqual(before.stats);
		expect(await orderBookRows(sale.id)).toEqual(before.rows);
		expect(before.stats).toMatchObject({ sold: 0, buyers: 0 });
		// The token that all those requests could not use still buys normally.
		expect((await buyer.purchase(sale.id, token)).status).toBe(201);
	});
});

describe("hostile and malformed requests to the v2 surfaces", () => {
	it("answers each with its documented status and code, and changes nothing", async () => {
		const sized = await createHoldSale("matrix-v2");
		const [waiter, payer, holder] = await Promise.all([
			Buyer.named("matrix-v2-waiter"),
			Buyer.named("matrix-v2-payer"),
			Buyer.named("matrix-v2-holder"),
		]);
		// payer's order is confirmed; holder's us-10 is held, so us-10 is sold out while held.
		expect((await payer.buyVariant(sized.id, "us-9")).status).toBe(201);
		expect((await payer.post(sized.id, "order/test-payment", { outcome: "paid" })).status).toBe(200);
		expect((await holder.buyVariant(sized.id, "us-10")).status).toBe(201);
		const purchaseToken = await waiter.purchaseToken(sized.id);
		const forged = await issuePurchaseToken(
			"another-secret-entirely-0123456789",
			sized.id,
			waiter.userId,
			Date.now() + 60_000,
		);
		const expiredSession = await sessionToken(waiter.userId, -60);
		const S = `/api/sales/${sized.id}`;
		const fresh = `/admin/sales/${uniqueSaleId("matrix-v2-new")}`;
		const sale = (overrides: Record<string, unknown>) => ({ ...saleInput(), ...overrides });
		const sizes = [
			{ id: "us-9", name: "US 9", totalStock: 2 },
			{ id: "us-10", name: "US 10", totalStock: 1 },
		];
		const put = (name: string, body: unknown): Case => ({
			name,
			method: "PUT",
			path: fresh,
			auth: "admin",
			body,
			status: 400,
			code: "invalid_request",
		});
		const asWaiter = (
			name: string,
			method: string,
			path: string,
			body: unknown,
			status: number,
			code: string,
		): Case => ({
			name,
			method,
			path: `${S}/${path}`,
			auth: "buyer",
			body,
			status,
			code,
		});
		const v2Cases: Case[] = [
			put("variants empty", sale({ variants: [], totalStock: undefined })),
			put(
				"51 variants",
				sale({
					variants: Array.from({ length: 51 }, (_, i) => ({ id: `v-${i}`, name: `V${i}`, totalStock: 1 })),
					totalStock: undefined,
				}),
			),
			put("duplicate variant ids", sale({ variants: [sizes[0], sizes[0]], totalStock: 4 })),
			put(
				"variant id not a slug",
				sale({ variants: [{ id: "US 9", name: "US 9", totalStock: 1 }], totalStock: 1 }),
			),
			put(
				"variant stock 0",
				sale({ variants: [{ id: "us-9", name: "US 9", totalStock: 0 }], totalStock: undefined }),
			),
			put("variant without name", sale({ variants: [{ id: "us-9", totalStock: 1 }], totalStock: 1 })),
			put("variants not an array", sale({ variants: { id: "us-9" } })),
			put("totalStock differs from the sizes' sum", sale({ variants: sizes, totalStock: 4 })),
			put("neither totalStock nor variants", sale({ totalStock: undefined })),
			put("imageUrl over http", sale({ imageUrl: "http://cdn.example.com/a.jpg" })),
			put("imageUrl javascript:", sale({ imageUrl: "javascript:alert(1)" })),
			put("imageUrl a number", sale({ imageUrl: 42 })),
			put("holdSeconds -1", sale({ holdSeconds: -1 })),
			put("holdSeconds 3601", sale({ holdSeconds: 3_601 })),
			put("holdSeconds 1.5", sale({ holdSeconds: 1.5 })),
			put("holdSeconds a string", sale({ holdSeconds: "60" })),
			put("mode lottery", sale({ mode: "lottery" })),
			put("mode draw with 2 shards", sale({ mode: "draw", shards: 2 })),
			put("shards 0", sale({ shards: 0 })),
			put("shards 65", sale({ shards: 65 })),
			put("shards 1.5", sale({ shards: 1.5 })),
			asWaiter(
				"purchase of an unknown size",
				"POST",
				"purchase",
				{ purchaseToken, variantId: "us-11" },
				400,
				"invalid_request",
			),
			asWaiter(
				"purchase of a malformed size",
				"POST",
				"purchase",
				{ purchaseToken, variantId: "US 9" },
				400,
				"invalid_request",
			),
			asWaiter(
				"purchase with a numeric size",
				"POST",
				"purchase",
				{ purchaseToken, variantId: 9 },
				400,
				"invalid_request",
			),
			asWaiter("purchase naming no size", "POST", "purchase", { purchaseToken }, 400, "invalid_request"),
			asWaiter(
				"purchase over the limit",
				"POST",
				"purchase",
				{ purchaseToken, variantId: "us-9", quantity: 2 },
				400,
				"invalid_request",
			),
			asWaiter("checkout with no order", "POST", "order/checkout", undefined, 404, "no_order"),
			asWaiter("cancel with no order", "POST", "order/cancel", undefined, 404, "no_order"),
			asWaiter(
				"test payment with no order",
				"POST",
				"order/test-payment",
				{ outcome: "paid" },
				404,
				"no_order",
			),
			asWaiter(
				"test payment outcome refunded",
				"POST",
				"order/test-payment",
				{ outcome: "refunded" },
				400,
				"invalid_request",
			),
			asWaiter("test payment without outcome", "POST", "order/test-payment", {}, 400, "invalid_request"),
			asWaiter(
				"wait with a forged token",
				"POST",
				"waitlist",
				{ purchaseToken: forged, variantId: "us-10" },
				403,
				"invalid_token",
			),
			asWaiter(
				"wait for a size in stock",
				"POST",
				"waitlist",
				{ purchaseToken, variantId: "us-9" },
				409,
				"not_sold_out",
			),
			asWaiter(
				"wait for an unknown size",
				"POST",
				"waitlist",
				{ purchaseToken, variantId: "us-11" },
				400,
				"invalid_request",
			),
			asWaiter("wait naming no size", "POST", "waitlist", { purchaseToken }, 400, "invalid_request"),
			asWaiter(
				"wait for 0 units",
				"POST",
				"waitlist",
				{ purchaseToken, variantId: "us-10", quantity: 0 },
				400,
				"invalid_request",
			),
			asWaiter(
				"wait for more than the limit",
				"POST",
				"waitlist",
				{ purchaseToken, variantId: "us-10", quantity: 2 },
				400,
				"invalid_request",
			),
			asWaiter("waitlist position when not waiting", "GET", "waitlist", undefined, 404, "not_waiting"),
			asWaiter("leave when not waiting", "DELETE", "waitlist", undefined, 404, "not_waiting"),
			asWaiter("PUT waitlist", "PUT", "waitlist", {}, 405, "method_not_allowed"),
			asWaiter("GET order/cancel", "GET", "order/cancel", undefined, 405, "method_not_allowed"),
			{
				name: "cancel without a session",
				method: "POST",
				path: `${S}/order/cancel`,
				status: 401,
				code: "unauthenticated",
			},
			{
				name: "checkout with an expired session",
				method: "POST",
				path: `${S}/order/checkout`,
				auth: expiredSession,
				status: 401,
				code: "unauthenticated",
			},
			{
				name: "waitlist of an unknown sale",
				method: "GET",
				path: "/api/sales/no-such-sale/waitlist",
				auth: "buyer",
				status: 404,
				code: "sale_not_found",
			},
			{
				name: "checkout of a confirmed order",
				method: "POST",
				path: `${S}/order/checkout`,
				auth: payer.session,
				status: 409,
				code: "not_held",
			},
			{
				name: "cancel of a confirmed order",
				method: "POST",
				path: `${S}/order/cancel`,
				auth: payer.session,
				status: 409,
				code: "not_held",
			},
			{
				name: "test payment of a confirmed order",
				method: "POST",
				path: `${S}/order/test-payment`,
				auth: payer.session,
				body: { outcome: "paid" },
				status: 409,
				code: "not_held",
			},
			{
				name: "wait while holding an order",
				method: "POST",
				path: `${S}/waitlist`,
				auth: holder.session,
				body: { purchaseToken: await holder.purchaseToken(sized.id), variantId: "us-10" },
				status: 409,
				code: "has_order",
			},
		];
		expect(v2Cases.length).toBeGreaterThanOrEqual(40);

		const before = {
			sale: await truth(sized.id),
			orders: await Promise.all([payer, holder].map((buyer) => orderOf(buyer, sized.id))),
		};
		const failures: string[] = [];
		for (const testCase of v2Cases) {
			const failure = await failureOf(testCase, waiter.session);
			if (failure) failures.push(failure);
		}
		expect(failures).toEqual([]);
		expect(await truth(sized.id)).toEqual(before.sale);
		expect(await Promise.all([payer, holder].map((buyer) => orderOf(buyer, sized.id)))).toEqual(
			before.orders,
		);
		expect(await orderOf(waiter, sized.id)).toBeNull();
		expect((await admin("GET", fresh.replace("/admin", ""))).status).toBe(404);
		// The token none of those requests could use still joins the waitlist.
		expect((await waiter.post(sized.id, "waitlist", { purchaseToken, variantId: "us-10" })).status).toBe(202);
	});
});
