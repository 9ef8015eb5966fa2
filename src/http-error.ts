import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * Every stable error code of the public contract (shared/API.md) with the
 * status it is always sent with and its one wording. One table, so a code
 * can never drift to another status, or another message, in one corner of
 * the app. Only `invalid_request` words each case, naming the field.
 */
const ERRORS = {
	invalid_request: [400, "The request is not valid."],
	invalid_signature: [400, "The Stripe-Signature header is missing, wrong or more than 300 s old."],
	unauthenticated: [401, "Sign in first: the session is missing, expired or invalid."],
	bot_check_failed: [403, "The bot check did not pass. Please try it again."],
	invalid_token: [403, "The purchase token is missing, expired or not yours."],
	not_found: [404, "No such endpoint."],
	sale_not_found: [404, "There is no such sale."],
	no_order: [404, "You hold no order in this sale."],
	not_waiting: [404, "You are not on this sale's waitlist."],
	no_entry: [404, "You have not entered this draw."],
	method_not_allowed: [405, "This method is not allowed on this path."],
	sold_out: [409, "Sold out."],
	sale_started: [409, "The sale has started; it can no longer be changed."],
	not_held: [409, "Your order is not held: it is confirmed, expired or cancelled."],
	not_sold_out: [409, "This is not sold out: buy it instead of waiting."],
	has_order: [409, "You already hold an order in this sale."],
	draw_sale: [409, "This sale is a draw: enter it instead of buying."],
	not_a_draw: [409, "This sale is first come, first served: it has no draw."],
	ended: [410, "The sale has ended."],
	payload_too_large: [413, "Request bodies are limited to 16 KiB."],
	unsupported_media_type: [415, "Send the body as application/json."],
	not_started: [425, "The sale has not started yet."],
	rate_limited: [429, "Too many requests. Slow down and try again shortly."],
	internal_error: [500, "Something went wrong on our side."],
	bot_check_unavailable: [503, "The bot check is unavailable right now."],
	session_keys_unavailable: [503, "Sign-in cannot be checked right now. Try again shortly."],
	overloaded: [503, "This sale is too busy right now; nothing was taken. Try again shortly."],
	unavailable: [503, "This sale cannot be reached right now. Try again shortly."],
	payment_unavailable: [
		503,
		"Payment cannot be started right now; your hold keeps running. Try again shortly.",
	],
} as const satisfies Record<string, readonly [ContentfulStatusCode, string]>;

export type ErrorCode = keyof typeof ERRORS;

/** Every error code of the contract, for the OpenAPI document and its tests. */
export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

/** The status an error code is always sent with. */
export function errorStatus(code: ErrorCode): ContentfulStatusCode {
	return ERRORS[code][0];
}

/** A contract error: thrown anywhere in a request, rendered by `app.onError`. */
export class ApiError extends Error {
	readonly code: ErrorCode;
	readonly details: Record<string, unknown>;
	readonly retryAfterSeconds: number | undefined;

	constructor(
		code: ErrorCode,
		options: { details?: Record<string, unknown>; retryAfterSeconds?: number } = {},
	) {
		super(ERRORS[code][1]);
		this.code = code;
		this.details = options.details ?? {};
		this.retryAfterSeconds = options.retryAfterSeconds;
	}
}

/** `400 invalid_request` saying which field is wrong and why, e.g. `quantity: at most 1 per buyer`. */
export function invalidRequest(problem: string): ApiError {
	const error = new ApiError("invalid_request");
	error.message = problem;
	return error;
}

/** Renders the contract's single error shape; 429 and 503 always carry Retry-After. */
export function errorResponse(c: Context, error: ApiError): Response {
	const status = ERRORS[error.code][0];
	if (status === 429 || status === 503) {
		c.header("Retry-After", String(error.retryAfterSeconds ?? 1));
	}
	return c.json({ error: { code: error.code, message: error.message, ...error.details } }, status);
}
