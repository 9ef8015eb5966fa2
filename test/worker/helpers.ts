import { env, exports } from "cloudflare:workers";
import { sign } from "hono/jwt";
import type { Order } from "../../src/domain/order";
import type { Sale, SaleInput } from "../../src/domain/sale";

let sequence = 0;

/** A sale id no other test uses, so tests never see each other's state. */
export function uniqueSaleId(label: string): string {
	sequence += 1;
	return `${label}-${Date.now().toString(36)}-${sequence}`;
}

/** A client address no other request in the run has used, for the per-address limits. */
export function uniqueIp(): string {
	sequence += 1;
	return `10.${(sequence >> 16) & 255}.${(sequence >> 8) & 255}.${sequence & 255}`;
}

export interface CallOptions {
	body?: unknown;
	rawBody?: BodyInit;
	token?: string;
	headers?: Record<string, string>;
	ip?: string;
}

/** One HTTP request to the real Worker. */
export function call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
	const headers = new Headers(options.headers);
	if (options.body !== undefined) headers.set("content-type", "application/json");
	if (options.token) headers.set("authorization", `Bearer ${options.token}`);
	headers.set("cf-connecting-ip", options.ip ?? uniqueIp());
	return exports.default.fetch(`https://doorbuster.test${path}`, {
		method,
		headers,
		body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
	});
}

export function admin(method: string, path: string, body?: unknown): Promise<Response> {
	return call(method, `/admin${path}`, { token: env.ADMIN_TOKEN, body });
}

export function saleInput(overrides: Partial<SaleInput> = {}): SaleInput {
	const now = Date.now();
	return {
		name: "Test Sneaker",
		description: "A pair of test sneakers.",
		priceCents: 12_900,
		currency: "USD",
		totalStock: 10,
		startsAt: now - 1_000,
		endsAt: now + 3_600_000,
		maxPerUser: 1,
		...overrides,
	};
}

/** Creates a sale through the admin API; by default it is live now. */
export async function createSale(label: string, overrides: Partial<SaleInput> = {}): Promise<Sale> {
	const response = await admin("PUT", `/sales/${uniqueSaleId(label)}`, saleInput(overrides));
	if (response.status !== 201) throw new Error(`createSale: ${response.status} ${await response.text()}`);
	return (await response.json<{ sale: Sale }>()).sale;
}

/** A session token as a shop's own login would mint it. */
export function sessionToken(userId: string, expiresInSeconds = 3_600): Promise<string> {
	const now = Math.floor(Date.now() / 1000);
	return sign({ sub: userId, iat: now, exp: now + expiresInSeconds }, env.SESSION_SECRET, "HS256");
}

/** A shopper with a session who walks through the buying flow. */
export class Buyer {
	readonly ip = uniqueIp();

	private constructor(
		readonly userId: string,
		readonly session: string,
	) {}

	static async named(userId: string): Promise<Buyer> {
		return new Buyer(userId, await sessionToken(userId));
	}

	requestToken(saleId: string): Promise<Response> {
		return call("POST", `/api/sales/${saleId}/purchase-token`, {
			token: this.session,
			ip: this.ip,
			body: { turnstileToken: "XXXX.DUMMY.TOKEN.XXXX" },
		});
	}

	async purchaseToken(saleId: string): Promise<string> {
		const response = await this.requestToken(saleId);
		if (response.status !== 200)
			throw new Error(`purchaseToken: ${response.status} ${await response.text()}`);
		return (await response.json<{ purchaseToken: string }>()).purchaseToken;
	}

	purchase(saleId: string, purchaseToken: string, quantity?: number): Promise<Response> {
		return call("POST", `/api/sales/${saleId}/purchase`, {
			token: this.session,
			ip: this.ip,
			body: quantity === undefined ? { purchaseToken } : { purchaseToken, quantity },
		});
	}

	/** Token, then purchase: what one press of the Buy button does. */
	async buy(saleId: string, quantity?: number): Promise<Response> {
		return this.purchase(saleId, await this.purchaseToken(saleId), quantity);
	}

	order(saleId: string): Promise<Response> {
		return call("GET", `/api/sales/${saleId}/order`, { token: this.session, ip: this.ip });
	}
}

export interface ErrorBody {
	error: { code: string; message: string; startsAt?: number };
}

export async function errorCode(response: Response): Promise<string> {
	return (await response.json<ErrorBody>()).error.code;
}

export interface SaleStats {
	sold: number;
	remaining: number;
	buyers: number;
	ordersRecorded: number;
	ordersPending: number;
	outcomes: Record<string, number>;
}

export async function saleStats(saleId: string): Promise<SaleStats> {
	const response = await admin("GET", `/sales/${saleId}`);
	return (await response.json<{ stats: SaleStats }>()).stats;
}

/** The order book's rows for a sale, read straight from D1. */
export async function orderBookRows(saleId: string): Promise<Order[]> {
	const { results } = await env.DB.prepare(
		"SELECT id, sale_id AS saleId, user_id AS userId, quantity, status, created_at AS createdAt FROM orders WHERE sale_id = ? ORDER BY seq",
	)
		.bind(saleId)
		.all<Order>();
	return results;
}
