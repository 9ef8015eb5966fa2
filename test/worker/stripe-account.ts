import { env } from "cloudflare:workers";
import Stripe from "stripe";
import { afterAll, afterEach, beforeAll, vi } from "vitest";
import type { Order } from "../../src/domain/order";
import { admin, Buyer, call, uniqueSaleId } from "./helpers";
import { createHoldSale } from "./hold-helpers";
import { stripeError, stripeJson } from "./payments/stripe-double";

export const WEBHOOK_SECRET = "whsec_doorbuster_e2e";

/** The configuration of a deployment that takes real payments with a Stripe test key. */
const STRIPE_CONFIGURATION = {
	PAYMENT_PROVIDER: "stripe",
	ALLOW_TEST_PROVIDERS: "",
	STRIPE_SECRET_KEY: "sk_test_doorbuster_e2e",
	STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
};

/**
 * Runs the file's tests against a Worker configured with `PAYMENT_PROVIDER=stripe`
 * (the test project's default is the offline provider), and restores the
 * configuration after. Sales' objects read it when they first pay, so each
 * test makes its own sale.
 */
export function configureStripe(): void {
	const bindings = env as unknown as Record<string, unknown>;
	const saved = Object.fromEntries(Object.keys(STRIPE_CONFIGURATION).map((key) => [key, bindings[key]]));
	beforeAll(() => {
		Object.assign(bindings, STRIPE_CONFIGURATION);
	});
	afterAll(() => {
		Object.assign(bindings, saved);
	});
	afterEach(() => {
		vi.restoreAllMocks();
	});
}

/** A Checkout Session as this account keeps it and Stripe shows it. */
export interface Session {
	id: string;
	object: "checkout.session";
	status: "open" | "complete" | "expired";
	payment_status: "unpaid" | "paid";
	amount_total: number;
	currency: string;
	payment_intent: string | null;
	livemode: false;
	metadata: Record<string, string>;
	url: string;
}

/** How Stripe fails while it is down. */
export type Outage = "network_error" | "server_error";

/**
 * A Stripe test-mode account as the Worker reaches it: `api.stripe.com` at
 * the fetch boundary, keeping Checkout Sessions and refunds as Stripe does
 * (idempotency keys included), and able to go down. Every other fetch goes
 * out as it would have.
 */
export class StripeAccount {
	readonly sessions = new Map<string, Session>();
	/** Refunds made, one per idempotency key, as `payment_intent`. */
	readonly refunds: string[] = [];
	/** Every request that reached the account, as `METHOD /path`. */
	readonly calls: string[] = [];
	/** While set, every request fails this way. */
	outage: Outage | null = null;
	/** Refunds of these payment intents are refused for good (e.g. the charge was disputed). */
	readonly refusedRefunds = new Set<string>();
	readonly #answered = new Map<string, unknown>();
	#next = 0;

	/** Puts the account behind `globalThis.fetch` for the rest of the test. */
	static open(): StripeAccount {
		const account = new StripeAccount();
		const passThrough = globalThis.fetch;
		vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
			const request = new Request(input, init);
			if (new URL(request.url).hostname !== "api.stripe.com") return passThrough(input, init);
			return account.#answer(request);
		});
		return account;
	}

	/** The buyer pays through the session: it completes, paid, with a new payment intent. */
	pay(sessionId: string, charged: Partial<Pick<Session, "amount_total" | "currency">> = {}): Session {
		const session = this.sessions.get(sessionId);
		if (session?.status !== "open") throw new Error(`${sessionId} cannot be paid`);
		Object.assign(session, {
			status: "complete",
			payment_status: "paid",
			payment_intent: `pi_${++this.#next}`,
			...charged,
		});
		return { ...session };
	}

	/** A session the Worker never made, for the same order: a second payment of it, e.g. from another tab. */
	paidElsewhere(orderOf: Session): Session {
		const id = `cs_test_other_${++this.#next}`;
		const session: Session = { ...orderOf, id, url: `https://checkout.stripe.com/c/pay/${id}` };
		session.status = "open";
		this.sessions.set(id, session);
		return this.pay(id);
	}

	async #answer(request: Request): Promise<Response> {
		const path = new URL(request.url).pathname;
		this.calls.push(`${request.method} ${path}`);
		if (this.outage === "network_error") throw new TypeError("Network connection lost.");
		if (this.outage === "server_error") {
			return stripeError(500, { type: "api_error", message: "Something went wrong on Stripe's end." });
		}
		const form = new URLSearchParams(new TextDecoder().decode(await request.arrayBuffer()));
		const key = request.headers.get("idempotency-key");
		const again = key === null ? undefined : this.#answered.get(key);
		if (again !== undefined) return stripeJson(200, again);
		const answer = this.#route(request.method, path, form);
		if (key !== null && answer.status === 200) this.#answered.set(key, await answer.clone().json());
		return answer;
	}

	#route(method: string, path: string, form: URLSearchParams): Response {
		if (method === "POST" && path === "/v1/checkout/sessions") return this.#createSession(form);
		if (method === "POST" && path === "/v1/refunds") return this.#refund(form);
		const [, id, action] = /^\/v1\/checkout\/sessions\/([^/]+)(?:\/(expire))?$/.exec(path) ?? [];
		const session = id === undefined ? undefined : this.sessions.get(id);
		if (!session) {
			return stripeError(404, {
				type: "invalid_request_error",
				code: "resource_missing",
				message: "No such session",
			});
		}
		if (method === "GET" && action === undefined) return stripeJson(200, session);
		if (method === "POST" && action === "expire") {
			if (session.status !== "open") {
				return stripeError(400, {
					type: "invalid_request_error",
					message: 'Only Checkout Sessions with a status in ["open"] can be expired.',
				});
			}
			session.status = "expired";
			return stripeJson(200, session);
		}
		return stripeError(404, {
			type: "invalid_request_error",
			message: `Unrecognized request URL (${method} ${path})`,
		});
	}

	#createSession(form: URLSearchParams): Response {
		const id = `cs_test_${++this.#next}`;
		const session: Session = {
			id,
			object: "checkout.session",
			status: "open",
			payment_status: "unpaid",
			amount_total:
				Number(form.get("line_items[0][price_data][unit_amount]")) *
				Number(form.get("line_items[0][quantity]")),
			currency: form.get("line_items[0][price_data][currency]") ?? "",
			payment_intent: null,
			livemode: false,
			// The session's own metadata, as Stripe keeps it (the payment intent's copy is not read here).
			metadata: Object.fromEntries(
				[...form.entries()].flatMap(([key, value]) => {
					const name = /^metadata\[(.+)\]$/.exec(key)?.[1];
					return name === undefined ? [] : [[name, value]];
				}),
			),
			url: `https://checkout.stripe.com/c/pay/${id}`,
		};
		this.sessions.set(id, session);
		return stripeJson(200, session);
	}

	#refund(form: URLSearchParams): Response {
		const intent = form.get("payment_intent") ?? "";
		if (this.refusedRefunds.has(intent)) {
			return stripeError(400, {
				type: "invalid_request_error",
				code: "charge_disputed",
				message: "This charge has been disputed and cannot be refunded.",
			});
		}
		this.refunds.push(intent);
		return stripeJson(200, {
			id: `re_${++this.#next}`,
			object: "refund",
			payment_intent: intent,
			status: "succeeded",
		});
	}
}

/** Options for delivering an event as Stripe would. */
export interface Delivery {
	/** The event's id; a fresh one by default. */
	id?: string;
	/** Seconds ago the signature was made (Stripe signs at each delivery). */
	signedSecondsAgo?: number;
	/** Signs with this secret instead of the endpoint's. */
	secret?: string;
	/** Sends this header instead of a signature (null: none). */
	signature?: string | null;
	livemode?: boolean;
	type?: string;
}

let eventSequence = 0;

/** Stripe's `checkout.session.completed` event for a session, as JSON. */
export function completedEvent(session: Session, delivery: Delivery = {}): string {
	return JSON.stringify({
		id: delivery.id ?? `evt_${Date.now().toString(36)}_${++eventSequence}`,
		object: "event",
		api_version: "2026-10-28.endive",
		type: delivery.type ?? "checkout.session.completed",
		created: Math.floor(Date.now() / 1000),
		livemode: delivery.livemode ?? false,
		data: { object: { ...session, livemode: delivery.livemode ?? false } },
	});
}

/** Posts a body to `POST /webhooks/stripe` with the signature Stripe's own helper makes. */
export async function deliver(body: string, delivery: Delivery = {}): Promise<Response> {
	const signature =
		delivery.signature !== undefined
			? delivery.signature
			: await Stripe.webhooks.generateTestHeaderStringAsync({
					payload: body,
					secret: delivery.secret ?? WEBHOOK_SECRET,
					timestamp: Math.floor(Date.now() / 1000) - (delivery.signedSecondsAgo ?? 0),
					cryptoProvider: Stripe.createSubtleCryptoProvider(),
				});
	const headers: Record<string, string> = { "content-type": "application/json" };
	if (signature !== null) headers["stripe-signature"] = signature;
	return call("POST", "/webhooks/stripe", { rawBody: body, headers });
}

/** Delivers `checkout.session.completed` for a paid session. */
export function deliverPaid(session: Session, delivery: Delivery = {}): Promise<Response> {
	return deliver(completedEvent(session, delivery), delivery);
}

/** A buyer's new held order, bought now. */
export async function holdFor(buyer: Buyer, saleId: string, variantId = "us-9"): Promise<Order> {
	const response = await buyer.buyVariant(saleId, variantId);
	if (response.status !== 201) throw new Error(`purchase: ${response.status} ${await response.text()}`);
	return (await response.json<{ order: Order }>()).order;
}

/** Starts checkout of the buyer's held order; answers the session Stripe made for it. */
export async function checkOut(account: StripeAccount, buyer: Buyer, saleId: string): Promise<Session> {
	const response = await buyer.post(saleId, "order/checkout");
	if (response.status !== 200) throw new Error(`checkout: ${response.status} ${await response.text()}`);
	const { checkoutUrl } = await response.json<{ checkoutUrl: string }>();
	const session = [...account.sessions.values()].find((candidate) => candidate.url === checkoutUrl);
	if (!session) throw new Error(`no session behind ${checkoutUrl}`);
	return session;
}

/** A live sale with sizes and a one-minute hold, one buyer holding a unit and a checkout open for it. */
export async function checkoutOpen(label: string) {
	const account = StripeAccount.open();
	const sale = await createHoldSale(label);
	const buyer = await Buyer.named(uniqueSaleId(`${label}-buyer`));
	const order = await holdFor(buyer, sale.id);
	const session = await checkOut(account, buyer, sale.id);
	return { account, sale, buyer, order, session };
}

/** The sale's refund figures, as the admin view shows them. */
export async function refundFigures(
	saleId: string,
): Promise<{ refundsPending: number; refundsFailed: number }> {
	const { stats } = await (await admin("GET", `/sales/${saleId}`)).json<{
		stats: { refundsPending: number; refundsFailed: number };
	}>();
	return { refundsPending: stats.refundsPending, refundsFailed: stats.refundsFailed };
}
