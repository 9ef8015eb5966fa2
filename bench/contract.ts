import type { Answer } from "./http-client";

/**
 * The answers docs/API.md allows, written out here rather than imported from
 * src/: the benchmark checks the Worker from outside, as a client would.
 * Status of every error code (API.md, "Conventions" and each endpoint).
 */
const ERROR_STATUS: Record<string, number> = {
	invalid_request: 400,
	unauthenticated: 401,
	bot_check_failed: 403,
	invalid_token: 403,
	sale_not_found: 404,
	sold_out: 409,
	ended: 410,
	payload_too_large: 413,
	not_started: 425,
	rate_limited: 429,
	bot_check_unavailable: 503,
	overloaded: 503,
	unavailable: 503,
};

/** Answers each buying endpoint may give, per API.md ("Buying" and "Additions"). */
const ALLOWED = {
	"purchase-token": new Set([
		"200",
		"400 invalid_request",
		"401 unauthenticated",
		"403 bot_check_failed",
		"404 sale_not_found",
		"409 sold_out",
		"410 ended",
		"413 payload_too_large",
		"425 not_started",
		"429 rate_limited",
		"503 bot_check_unavailable",
	]),
	purchase: new Set([
		"200",
		"201",
		"400 invalid_request",
		"401 unauthenticated",
		"403 invalid_token",
		"404 sale_not_found",
		"409 sold_out",
		"410 ended",
		"413 payload_too_large",
		"425 not_started",
		"429 rate_limited",
		"503 overloaded",
		"503 unavailable",
	]),
};

export interface OrderShape {
	id: string;
	saleId: string;
	userId: string;
	quantity: number;
	status: string;
	createdAt: number;
}

/**
 * Why an answer breaks the contract, or null if it keeps it: the status and
 * code must be allowed for the endpoint, the body must be JSON of the right
 * shape, and 429 and 503 must say when to come back.
 */
export function contractBreach(
	endpoint: "purchase-token" | "purchase",
	outcome: string,
	answer: Answer,
): string | null {
	if (!ALLOWED[endpoint].has(outcome))
		return `${endpoint} answered ${outcome}, which the contract does not allow`;
	if (!answer.contentType?.startsWith("application/json"))
		return `${endpoint} ${outcome} is not application/json`;
	if (answer.code !== null) {
		if (ERROR_STATUS[answer.code] !== answer.status)
			return `${answer.code} came with status ${answer.status}`;
		const error = (answer.body as { error: { message?: unknown } }).error;
		if (typeof error.message !== "string") return `${endpoint} ${outcome} has no error message`;
		if ((answer.status === 429 || answer.status === 503) && !answer.retryAfter) {
			return `${endpoint} ${outcome} has no Retry-After`;
		}
		if (answer.code === "not_started" && typeof (error as { startsAt?: unknown }).startsAt !== "number") {
			return "not_started does not say when the sale starts";
		}
		return null;
	}
	if (endpoint === "purchase-token") {
		const body = answer.body as { purchaseToken?: unknown; expiresAt?: unknown } | undefined;
		if (typeof body?.purchaseToken !== "string" || typeof body.expiresAt !== "number") {
			return "purchase-token 200 lacks purchaseToken or expiresAt";
		}
		return null;
	}
	return orderOf(answer) ? null : `purchase ${outcome} lacks a well-formed order`;
}

/** The order of a 200/201 purchase answer, if it is well formed. */
export function orderOf(answer: Answer): OrderShape | null {
	const order = (answer.body as { order?: Partial<OrderShape> } | undefined)?.order;
	if (
		typeof order?.id !== "string" ||
		typeof order.saleId !== "string" ||
		typeof order.userId !== "string" ||
		typeof order.quantity !== "number" ||
		order.status !== "confirmed" ||
		typeof order.createdAt !== "number"
	) {
		return null;
	}
	return order as OrderShape;
}
