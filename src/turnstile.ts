import { z } from "zod";
import { ApiError } from "./http-error";

/** The body of every request that carries a Turnstile token. */
export const turnstileBody = z.object({ turnstileToken: z.string().min(1).max(4_096) });

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
}

/**
 * Verifies a Turnstile token or throws the contract's error. Fails closed:
 * if siteverify is slow, down or says it erred internally, nobody gets in.
 */
export async function assertHuman(
	secret: string,
	token: string,
	remoteIp: string | undefined,
): Promise<void> {
	const answer = TEST_SECRET_OUTCOMES[secret] ?? (await siteverify(secret, token, remoteIp));
	if (answer.success) return;
	if (answer["error-codes"]?.includes("internal-error")) throw unavailable();
	throw new ApiError("bot_check_failed");
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
