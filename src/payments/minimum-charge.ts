/**
 * Stripe's minimum charge per settlement-currency presentment, in the
 * currency's minor units as the API counts them (JPY has none; HUF is sent
 * with two decimals). A charge in another currency must come to at least
 * USD 0.50 at the day's rate, which cannot be checked ahead: those are not
 * listed. https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts
 */
const STRIPE_MINIMUM_CHARGE: Readonly<Record<string, number>> = {
	USD: 50,
	AED: 200,
	AUD: 50,
	BGN: 100,
	BRL: 50,
	CAD: 50,
	CHF: 50,
	CZK: 1500,
	DKK: 250,
	EUR: 50,
	GBP: 30,
	HKD: 400,
	HUF: 17500,
	INR: 50,
	JPY: 50,
	MXN: 1000,
	MYR: 200,
	NOK: 300,
	NZD: 50,
	PLN: 200,
	RON: 200,
	SEK: 300,
	SGD: 50,
	THB: 1000,
};

/** The least Stripe charges in `currency` (any case), in minor units; null when it is not a fixed amount. */
export function stripeMinimumCharge(currency: string): number | null {
	return STRIPE_MINIMUM_CHARGE[currency.toUpperCase()] ?? null;
}
