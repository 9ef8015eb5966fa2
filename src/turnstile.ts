import type { Context } from "hono";
import * as z from "zod";
import { ApiError } from "./http-error";
import { clientIp } from "./rate-limit";

/**
 * The body of every request that carries a Turnstile token. Its length is
 * checked by `assertHuman`: a token too long is a failed bot check, not a
 * malformed request.
 */
export const turnstileBody = z.object({ turnstileToken: z.string().min(1) });

/**
 * Turnstile tokens are at most 2,048 characters; anything longer is not a
 * token and is refused without asking siteverify.
 * https://developers.cloudflare.com/turnstile/get-started/server-side-validation/
 */
const MAX_TOKEN_LENGTH = 2_048;

const SITEVERIFY_URL = "https://challenges.cloudflare.com/turnstile/v0/siteverify";
/** A bot check that cannot answer in this time counts as unavailable. */
const SITEVERIFY_TIMEOUT_MS = 3_000;

/**
 * Cloudflare's documented test secrets answer without the network, exactly
 * as siteverify would, so a machine with no internet runs the whole flow.
 * https://developers.cloudflare.com/turnstile/troubleshooting/testing/
 */
const TEST_SECRET_OUTCOMES: Record<string, SiteverifyAnswer> = {
	"1x0000000000000000000000000000000AA": { success: true },
	"2x0000000000000000000000000000000AA": { success: false, "error-codes": ["invalid-input-response"] },
	"3x0000000000000000000000000000000AA": { success: false, "error-codes": ["timeout-or-duplicate"] },
};

interface SiteverifyAnswer {
	success: boolean;
	"error-codes"?: string[];
	action?: string;
	hostname?: string;
}

/**
 * Verifies the request's Turnstile token or throws the contract's error.
 * A token passes only if siteverify accepts it AND it was minted for this
 * deployment's widget action (`TURNSTILE_ACTION`) on one of its hostnames
 * (`TURNSTILE_HOSTNAMES`, or else the host the request came to): a token
 * solved on another site or for another action is not ours to accept.
 * Fails closed: if siteverify is slow, down or says it erred internally,
 * nobody gets in.
 */
export async function assertHuman<E extends { Bindings: Env }>(c: Context<E>, token: string): Promise<void> {
	if (token.length > MAX_TOKEN_LENGTH) throw new ApiError("bot_check_failed");
	const secret = c.env.TURNSTILE_SECRET_KEY;
	const offline = TEST_SECRET_OUTCOMES[secret];
	if (offline) {
		if (offline.success) return;
		throw new ApiError("bot_check_failed");
	}
	const answer = await siteverify(secret, token, clientIp(c));
	if (answer["error-codes"]?.includes("internal-error")) throw unavailable();
	if (
		answer.success &&
		answer.action === c.env.TURNSTILE_ACTION &&
		expectedHostnames(c).has(answer.hostname ?? "")
	) {
		return;
	}
	throw new ApiError("bot_check_failed");
}

function expectedHostnames<E extends { Bindings: Env }>(c: Context<E>): Set<string> {
	const configured = c.env.TURNSTILE_HOSTNAMES.split(",")
		.map((hostname) => hostname.trim().toLowerCase())
		.filter(Boolean);
	return new Set(configured.length > 0 ? configured : [new URL(c.req.url).hostname]);
}

async function siteverify(
	secret: string,
	token: string,
	remoteIp: string | undefined,
): Promise<SiteverifyAnswer> {
	const body: Record<string, string> = {
		secret,
		response: token,
		// Siteverify answers a repeat of the same key as it did the first time
		// rather than as a replay of a spent token.
		idempotency_key: crypto.randomUUID(),
	};
	if (remoteIp) body.remoteip = remoteIp;
	let response: Response;
	try {
		response = await fetch(SITEVERIFY_URL, {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify(body),
			signal: AbortSignal.timeout(SITEVERIFY_TIMEOUT_MS),
		});
	} catch {
		throw unavailable();
	}
	if (!response.ok) throw unavailable();
	const answer = (await response.json().catch(() => null)) as SiteverifyAnswer | null;
	if (typeof answer?.success !== "boolean") throw unavailable();
	return answer;
}

function unavailable(): ApiError {
	return new ApiError("bot_check_unavailable", {
		retryAfterSeconds: 5,
	});
}
