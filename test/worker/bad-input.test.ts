import { env } from "cloudflare:workers";
import { sign } from "hono/jwt";
import type { JWTPayload } from "hono/utils/jwt/types";
import { beforeAll, describe, expect, it } from "vitest";
import { issuePurchaseToken } from "../../src/auth/purchase-token";
import type { Sale } from "../../src/domain/sale";
import { Buyer, call, createSale, orderBookRows, saleInput, saleStats, sessionToken } from "./helpers";

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

describe("hostile and malformed requests", () => {
	it("answers each with its documented status and code, and changes nothing", async () => {
		expect(cases.length).toBeGreaterThanOrEqual(60);
		const before = { stats: await saleStats(sale.id), rows: await orderBookRows(sale.id) };

		const failures: string[] = [];
		for (const testCase of cases) {
			const headers: Record<string, string> = { ...testCase.headers };
			if (testCase.raw !== undefined && !headers["content-type"])
				headers["content-type"] = "application/json";
			const token =
				testCase.auth === "buyer"
					? buyer.session
					: testCase.auth === "admin"
						? env.ADMIN_TOKEN
						: testCase.auth;
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
			if (response.status !== testCase.status || code !== testCase.code) {
				failures.push(`${testCase.name}: ${response.status} ${text.slice(0, 120)}`);
			}
			expect(text).not.toMatch(/at \S+ \(|\.ts:\d+/);
		}
		expect(failures).toEqual([]);

		expect(await saleStats(sale.id)).toEqual(before.stats);
		expect(await orderBookRows(sale.id)).toEqual(before.rows);
		expect(before.stats).toMatchObject({ sold: 0, buyers: 0 });
		// The token that all those requests could not use still buys normally.
		expect((await buyer.purchase(sale.id, token)).status).toBe(201);
	});
});
