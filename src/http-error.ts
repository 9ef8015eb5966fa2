import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * Every stable error code of the public contract (shared/API.md) with the
 * status it is always sent with. One table, so a code can never drift to
 * another status in one corner of the app.
 */
export const ERROR_STATUS = {
	invalid_request: 400,
	unauthenticated: 401,
	bot_check_failed: 403,
	invalid_token: 403,
	not_found: 404,
	sale_not_found: 404,
	no_order: 404,
	method_not_allowed: 405,
	sold_out: 409,
	sale_started: 409,
	ended: 410,
	payload_too_large: 413,
	unsupported_media_type: 415,
	not_started: 425,
	rate_limited: 429,
	internal_error: 500,
	bot_check_unavailable: 503,
	overloaded: 503,
	unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** A contract error: thrown anywhere in a request, rendered by `app.onError`. */
export class ApiError extends Error {
	readonly code: ErrorCode;
	readonly details: Record<string, unknown>;
	readonly retryAfterSeconds: number | undefined;

	constructor(
		code: ErrorCode,
		message: string,
		options: { details?: Record<string, unknown>; retryAfterSeconds?: number } = {},
	) {
		super(message);
		this.code = code;
		this.details = options.details ?? {};
		this.retryAfterSeconds = options.retryAfterSeconds;
	}
}

/** Renders the contract's single error shape; 429 and 503 always carry Retry-After. */
export function errorResponse(c: Context, error: ApiError): Response {
	const status = ERROR_STATUS[error.code];
	if (status === 429 || status === 503) {
		c.header("Retry-After", String(error.retryAfterSeconds ?? 1));
	}
	return c.json({ error: { code: error.code, message: error.message, ...error.details } }, status);
}
