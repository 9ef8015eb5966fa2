import { type StripeAddress, StripePayments } from "./stripe-payments";
import { TestPayments } from "./test-payments";

/** The configuration the payment providers read (vars and secrets of wrangler.jsonc). */
export interface PaymentEnv {
	/** `stripe`, `test`, or empty for none. */
	PAYMENT_PROVIDER?: string;
	/** `1` lets `PAYMENT_PROVIDER=test` take effect; never set in the committed configuration. */
	ALLOW_TEST_PROVIDERS?: string;
	STRIPE_SECRET_KEY?: string;
	STRIPE_WEBHOOK_SECRET?: string;
	/** A Stripe test double's origin, e.g. `http://localhost:12111`, instead of Stripe's API. */
	STRIPE_API_BASE?: string;
}

export type PaymentProvider = StripePayments | TestPayments;

/** A configuration no provider can work with: a deployment mistake, not a buyer's. */
export class PaymentConfigError extends Error {}

/**
 * The configured payment provider, or null when there is none. The test
 * provider counts as none unless `ALLOW_TEST_PROVIDERS=1` is set too, so a
 * deployment cannot ship it by accident. Throws `PaymentConfigError` for a
 * provider that is named but cannot work (unknown name, missing or malformed
 * Stripe secrets, bad `STRIPE_API_BASE`): selling as if there were no
 * provider would hide the mistake.
 */
export function paymentProvider(env: PaymentEnv): PaymentProvider | null {
	switch (env.PAYMENT_PROVIDER ?? "") {
		case "":
			return null;
		case "test":
			return env.ALLOW_TEST_PROVIDERS === "1" ? new TestPayments() : null;
		case "stripe":
			return stripeProvider(env);
		default:
			throw new PaymentConfigError(
				`PAYMENT_PROVIDER must be "stripe", "test" or empty, not "${env.PAYMENT_PROVIDER}"`,
			);
	}
}

function stripeProvider(env: PaymentEnv): StripePayments {
	const secretKey = env.STRIPE_SECRET_KEY ?? "";
	const webhookSecret = env.STRIPE_WEBHOOK_SECRET ?? "";
	// Secret (sk_) or restricted (rk_) keys; the mode in the prefix decides
	// which events' `livemode` is accepted.
	if (!/^[rs]k_(test|live)_\S+$/.test(secretKey)) {
		throw new PaymentConfigError("STRIPE_SECRET_KEY must be a Stripe secret key (sk_test_… or sk_live_…)");
	}
	if (!/^whsec_\S+$/.test(webhookSecret)) {
		throw new PaymentConfigError(
			"STRIPE_WEBHOOK_SECRET must be the webhook endpoint's signing secret (whsec_…)",
		);
	}
	const address = env.STRIPE_API_BASE ? stripeAddress(env.STRIPE_API_BASE) : undefined;
	return new StripePayments({ secretKey, webhookSecret, address });
}

/** Reads `STRIPE_API_BASE`, e.g. `http://localhost:12111`, into the client's settings. */
function stripeAddress(apiBase: string): StripeAddress {
	const url = URL.parse(apiBase);
	// The client takes a host, port and protocol only: a path would be dropped.
	if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.pathname !== "/" || url.search) {
		throw new PaymentConfigError(
			`STRIPE_API_BASE must be an http(s) origin such as http://localhost:12111, not "${apiBase}"`,
		);
	}
	const protocol = url.protocol === "http:" ? "http" : "https";
	const port = url.port ? Number(url.port) : protocol === "http" ? 80 : 443;
	return { host: url.hostname, port, protocol };
}
