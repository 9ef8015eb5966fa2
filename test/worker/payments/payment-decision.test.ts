import { describe, expect, it } from "vitest";
import { decidePayment, type PaidOrder } from "../../../src/payments/payment-decision";

const heldOrder: PaidOrder = { status: "held", amountCents: 5000, currency: "USD", sessionId: "cs_kept" };
const payment = { sessionId: "cs_kept", amountCents: 5000, currency: "usd" };

describe("a payment for an order", () => {
	it("confirms the held order through its kept session, for its amount, currency compared ignoring case", () => {
		expect(decidePayment(heldOrder, payment)).toEqual({ action: "confirm" });
		expect(decidePayment({ ...heldOrder, currency: "eur" }, { ...payment, currency: "EUR" })).toEqual({
			action: "confirm",
		});
	});

	it("is never refunded once it confirmed the order: a second report of it changes nothing", () => {
		expect(decidePayment({ ...heldOrder, status: "confirmed" }, payment)).toEqual({ action: "none" });
	});

	it("is refunded when another payment confirmed the order first", () => {
		expect(
			decidePayment({ ...heldOrder, status: "confirmed" }, { ...payment, sessionId: "cs_other" }),
		).toEqual({ action: "refund", reason: "already_confirmed" });
	});

	it("is refunded when the order was confirmed by the test provider, with no session", () => {
		expect(decidePayment({ ...heldOrder, status: "confirmed", sessionId: null }, payment)).toEqual({
			action: "refund",
			reason: "already_confirmed",
		});
	});

	it.each(["expired", "cancelled"] as const)("is refunded when the order is %s", (status) => {
		expect(decidePayment({ ...heldOrder, status }, payment)).toEqual({
			action: "refund",
			reason: "not_held",
		});
	});

	it("is refunded when it was paid through a session other than the one kept", () => {
		expect(decidePayment(heldOrder, { ...payment, sessionId: "cs_other" })).toEqual({
			action: "refund",
			reason: "session_mismatch",
		});
		expect(decidePayment({ ...heldOrder, sessionId: null }, payment)).toEqual({
			action: "refund",
			reason: "session_mismatch",
		});
	});

	it.each([4999, 5001, 0])("is refunded when it paid %i instead of 5000", (amountCents) => {
		expect(decidePayment(heldOrder, { ...payment, amountCents })).toEqual({
			action: "refund",
			reason: "amount_mismatch",
		});
	});

	it("is refunded when it paid in another currency", () => {
		expect(decidePayment(heldOrder, { ...payment, currency: "eur" })).toEqual({
			action: "refund",
			reason: "currency_mismatch",
		});
	});
});
