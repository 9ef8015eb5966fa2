import type { Payment } from "./payment";

/** What the sale's object knows of an order when a payment for it arrives. */
export interface PaidOrder {
	status: "held" | "confirmed" | "expired" | "cancelled";
	amountCents: number;
	currency: string;
	/** The checkout session kept with the order; null if it never had one. */
	sessionId: string | null;
}

/** Why a payment cannot confirm its order, and so is refunded in full. */
export type RefundReason =
	| "not_held"
	| "already_confirmed"
	| "session_mismatch"
	| "amount_mismatch"
	| "currency_mismatch";

export type PaymentDecision =
	| { action: "confirm" }
	/** This very payment already confirmed the order (a second report of it): nothing to do. */
	| { action: "none" }
	| { action: "refund"; reason: RefundReason };

/**
 * Confirm the order, refund the payment, or neither (shared/API.md,
 * "Payment providers"). No I/O: the object applies the answer in the same
 * critical section as the order's state it was given.
 *
 * Invariant: the payment that confirmed an order is never refunded. An order
 * is confirmed through its kept session and a session is paid at most once,
 * so a confirmed order's own session names that payment.
 */
export function decidePayment(
	order: PaidOrder,
	payment: Pick<Payment, "sessionId" | "amountCents" | "currency">,
): PaymentDecision {
	if (order.status === "confirmed") {
		return order.sessionId === payment.sessionId
			? { action: "none" }
			: { action: "refund", reason: "already_confirmed" };
	}
	if (order.status !== "held") return { action: "refund", reason: "not_held" };
	if (order.sessionId !== payment.sessionId) return { action: "refund", reason: "session_mismatch" };
	if (order.amountCents !== payment.amountCents) return { action: "refund", reason: "amount_mismatch" };
	// Stripe reports currencies in lowercase; sales keep ISO 4217's uppercase.
	if (order.currency.toLowerCase() !== payment.currency.toLowerCase()) {
		return { action: "refund", reason: "currency_mismatch" };
	}
	return { action: "confirm" };
}
