import { createExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { sign } from "hono/jwt";
import { parse } from "jsonc-parser";
import type { Order } from "../../src/domain/order";
import type { Sale, SaleInput } from "../../src/domain/sale";
import worker from "../../src/index";
import wranglerConfig from "../../wrangler.jsonc";

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
	/** The Worker's bindings for this request, e.g. from `saleGateWith`; the real ones by default. */
	bindings?: Env;
	/** The request's execution context, to wait for its `waitUntil` work. */
	ctx?: ExecutionContext;
}

/** One HTTP request to the real Worker. */
export async function call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
	const headers = new Headers(options.headers);
	if (options.body !== undefined) headers.set("content-type", "application/json");
	if (options.token) headers.set("authorization", `Bearer ${options.token}`);
	headers.set("cf-connecting-ip", options.ip ?? uniqueIp());
	const request = new Request(`https://doorbuster.test${path}`, {
		method,
		headers,
		body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
	});
	if (!options.bindings && !options.ctx) return exports.default.fetch(request);
	return worker.fetch(request, options.bindings ?? env, options.ctx ?? createExecutionContext());
}

/** One call the Worker made to a sale's Durable Object through `saleGateWith`'s namespace. */
export interface GateCall {
	/** The object's name: a sale id, a shard's name, or a relay's. */
	saleId: string;
	method: string;
	/** What the call was given. */
	args: unknown[];
}

export type Intercept = (call: GateCall, proceed: () => unknown) => unknown;

/**
 * The real SALE_GATE namespace, except that every call to a sale's object
 * goes through `intercept`, which may let it through (`proceed()`) or fail
 * it the way the platform does. Records every call, `getByName` included.
 */
export function saleGateWith(intercept: Intercept = (_, proceed) => proceed()): {
	bindings: Env;
	calls: GateCall[];
} {
	const calls: GateCall[] = [];
	return { bindings: { ...env, SALE_GATE: interceptedNamespace(env.SALE_GATE, intercept, calls) }, calls };
}

/**
 * The real SALE_GATE and PURCHASE_RELAY namespaces as the Worker sees them,
 * every call going through `intercept` and recorded. Calls a relay makes to
 * a sale's object are the relay's own, on the real bindings.
 */
export function objectsWith(intercept: Intercept = (_, proceed) => proceed()): {
	bindings: Env;
	calls: GateCall[];
} {
	const calls: GateCall[] = [];
	return {
		bindings: {
			...env,
			SALE_GATE: interceptedNamespace(env.SALE_GATE, intercept, calls),
			PURCHASE_RELAY: interceptedNamespace(env.PURCHASE_RELAY, intercept, calls),
		},
		calls,
	};
}

/** A Durable Object namespace whose every call goes through `intercept`, recorded in `calls`. */
export function interceptedNamespace<N extends DurableObjectNamespace<Rpc.DurableObjectBranded | undefined>>(
	namespace: N,
	intercept: Intercept,
	calls: GateCall[],
): N {
	return new Proxy(namespace, {
		get(target, property) {
			if (property !== "getByName") return Reflect.get(target, property);
			return (saleId: string) => {
				calls.push({ saleId, method: "getByName", args: [saleId] });
				const stub = target.getByName(saleId);
				return new Proxy(stub, {
					get(object, method) {
						const real: unknown = Reflect.get(object, method);
						if (typeof method !== "string" || typeof real !== "function") return real;
						return (...args: unknown[]) => {
							const objectCall = { saleId, method, args };
							calls.push(objectCall);
							return intercept(objectCall, () => Reflect.apply(real, object, args));
						};
					},
				});
			};
		},
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

	purchase(
		saleId: string,
		purchaseToken: string,
		quantity?: number,
		options: Pick<CallOptions, "bindings" | "ctx"> = {},
	): Promise<Response> {
		return call("POST", `/api/sales/${saleId}/purchase`, {
			...options,
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

	/** Token, then purchase of a variant (size). */
	async buyVariant(saleId: string, variantId: string, quantity = 1, attemptId?: string): Promise<Response> {
		const purchaseToken = await this.purchaseToken(saleId);
		return call("POST", `/api/sales/${saleId}/purchase`, {
			token: this.session,
			ip: this.ip,
			body: { purchaseToken, quantity, variantId, attemptId },
		});
	}

	/** A POST to one of the paths under `/api/sales/{saleId}/`, as this buyer. */
	post(saleId: string, path: string, body?: unknown): Promise<Response> {
		return call("POST", `/api/sales/${saleId}/${path}`, { token: this.session, ip: this.ip, body });
	}

	/** Token, then a place on the waitlist. */
	async joinWaitlist(saleId: string, variantId?: string, quantity?: number): Promise<Response> {
		const purchaseToken = await this.purchaseToken(saleId);
		return this.post(saleId, "waitlist", { purchaseToken, variantId, quantity });
	}

	waitlist(saleId: string, method: "GET" | "DELETE" = "GET"): Promise<Response> {
		return call(method, `/api/sales/${saleId}/waitlist`, { token: this.session, ip: this.ip });
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
		`SELECT id, sale_id AS saleId, user_id AS userId, variant_id AS variantId, quantity,
		   amount_cents AS amountCents, currency, status, created_at AS createdAt,
		   hold_expires_at AS holdExpiresAt, paid_at AS paidAt
		 FROM orders WHERE sale_id = ? ORDER BY seq`,
	)
		.bind(saleId)
		.all<Order>();
	return results;
}

/** The `period` wrangler.jsonc gives a rate limiter, in seconds. */
export function limiterPeriod(name: string): number {
	const { ratelimits } = parse(wranglerConfig) as {
		ratelimits: { name: string; simple: { period: number } }[];
	};
	const limiter = ratelimits.find((entry) => entry.name === name);
	if (!limiter) throw new Error(`wrangler.jsonc has no rate limiter ${name}`);
	return limiter.simple.period;
}

/**
 * Siteverify's answer for a token solved on this deployment's widget, as
 * Cloudflare sends it; `overrides` make it another site's or a failure.
 */
export function siteverifyAnswer(overrides: Record<string, unknown> = {}): Response {
	return Response.json({
		success: true,
		"error-codes": [],
		challenge_ts: new Date().toISOString(),
		hostname: "doorbuster.test",
		action: env.TURNSTILE_ACTION,
		...overrides,
	});
}
