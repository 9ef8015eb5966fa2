import { afterEach, describe, expect, it, vi } from "vitest";
import type { CheckoutOrder } from "../../../src/payments/payment";
import { PaymentConfigError, type PaymentEnv, paymentProvider } from "../../../src/payments/payment-provider";
import { checkoutSession, stripeJson, stubStripe } from "./stripe-double";

afterEach(() => {
	vi.restoreAllMocks();
});

const stripeEnv: PaymentEnv = {
	PAYMENT_PROVIDER: "stripe",
	STRIPE_SECRET_KEY: "sk_test_doorbuster",
	STRIPE_WEBHOOK_SECRET: "whsec_doorbuster",
};

const order: CheckoutOrder = {
	saleId: "spring-drop",
	orderId: "order-1",
	itemName: "Runner 2",
	quantity: 1,
	amountCents: 5000,
	currency: "USD",
	holdExpiresAt: Date.now() + 120_000,
};

describe("payment provider selection", () => {
	it.each([
		["unset", {}],
		["empty", { PAYMENT_PROVIDER: "" }],
	])("is none when PAYMENT_PROVIDER is %s", (_, env) => {
		expect(paymentProvider(env)).toBeNull();
	});

	it.each([
		["unset", undefined],
		["0", "0"],
		["true", "true"],
		["empty", ""],
	])("treats the test provider as none when ALLOW_TEST_PROVIDERS is %s", (_, allow) => {
		expect(paymentProvider({ PAYMENT_PROVIDER: "test", ALLOW_TEST_PROVIDERS: allow })).toBeNull();
	});

	it("sends the buyer to the test payment page when test providers are allowed", async () => {
		const provider = paymentProvider({ PAYMENT_PROVIDER: "test", ALLOW_TEST_PROVIDERS: "1" });

		expect(provider?.name).toBe("test");
		expect(await provider?.startCheckout(order, "https://shop.example")).toEqual({
			ok: true,
			sessionId: null,
			url: "/pay/test?sale=spring-drop",
		});
	});

	it("is Stripe, in the mode of its secret key", () => {
		const test = paymentProvider(stripeEnv);
		const live = paymentProvider({ ...stripeEnv, STRIPE_SECRET_KEY: "sk_live_doorbuster" });
		const restricted = paymentProvider({ ...stripeEnv, STRIPE_SECRET_KEY: "rk_live_doorbuster" });

		expect(
			[test, live, restricted].map((provider) => provider?.name === "stripe" && provider.livemode),
		).toEqual([false, true, true]);
	});

	it.each([
		["an unknown provider", { PAYMENT_PROVIDER: "paypal" }],
		["Stripe without a secret key", { ...stripeEnv, STRIPE_SECRET_KEY: undefined }],
		["Stripe with a publishable key", { ...stripeEnv, STRIPE_SECRET_KEY: "pk_test_doorbuster" }],
		["Stripe without a webhook secret", { ...stripeEnv, STRIPE_WEBHOOK_SECRET: "" }],
		["Stripe with a webhook secret of blanks", { ...stripeEnv, STRIPE_WEBHOOK_SECRET: "whsec_ " }],
		["a Stripe API base that is not a URL", { ...stripeEnv, STRIPE_API_BASE: "localhost:12111" }],
		["a Stripe API base with a path", { ...stripeEnv, STRIPE_API_BASE: "http://localhost:12111/v1" }],
		["a Stripe API base over ftp", { ...stripeEnv, STRIPE_API_BASE: "ftp://localhost" }],
	])("refuses %s as a configuration error", (_, env) => {
		expect(() => paymentProvider(env)).toThrow(PaymentConfigError);
	});
});

describe("STRIPE_API_BASE", () => {
	it.each([
		["http://stripe-double.test:12111", "http://stripe-double.test:12111/v1/checkout/sessions"],
		["https://stripe-double.test", "https://stripe-double.test/v1/checkout/sessions"],
		["http://127.0.0.1", "http://127.0.0.1/v1/checkout/sessions"],
	])("%s sends Stripe's calls to the test double instead of api.stripe.com", async (apiBase, expected) => {
		const requests = stubStripe(() => stripeJson(200, checkoutSession()));
		const provider = paymentProvider({ ...stripeEnv, STRIPE_API_BASE: apiBase });

		await provider?.startCheckout(order, "https://shop.example");

		expect(requests.map((request) => request.url.href)).toEqual([expected]);
	});

	it("leaves Stripe's calls on api.stripe.com when empty", async () => {
		const requests = stubStripe(() => stripeJson(200, checkoutSession()));

		await paymentProvider({ ...stripeEnv, STRIPE_API_BASE: "" })?.startCheckout(
			order,
			"https://shop.example",
		);

		expect(requests.map((request) => request.url.href)).toEqual([
			"https://api.stripe.com/v1/checkout/sessions",
		]);
	});
});
