import { QUICKNET, type VerifiedRound, verifyQuicknetRound } from "./quicknet.ts";

/** `DRAND_URL` when unset (shared/API.md "Draws"). */
export const DEFAULT_DRAND_URL = "https://api.drand.sh";
/** A relay that has not answered in this time is skipped for the next one. */
const RELAY_TIMEOUT_MS = 5_000;

/** Why one relay's answer was not used. */
export interface RelayFailure {
	url: string;
	reason: "unreachable" | "missing" | "malformed" | "unverified";
	detail: string;
}

export type RoundFetch =
	| { ok: true; beacon: VerifiedRound; url: string }
	| { ok: false; failures: RelayFailure[] };

/**
 * Reads quicknet round `round` from the relays of `drandUrl` (comma-separated,
 * `{url}/{chainHash}/public/{round}`), one after another, and returns the
 * first answer that verifies against the pinned key. A relay that is down,
 * has not got the round yet (404, 425), answers garbage or a round that does
 * not verify is skipped with its reason; if none verifies, the caller gets
 * every reason and no round: an unverified round is never returned.
 */
export async function fetchQuicknetRound(
	drandUrl: string | undefined,
	round: number,
	timeoutMs = RELAY_TIMEOUT_MS,
): Promise<RoundFetch> {
	const failures: RelayFailure[] = [];
	for (const url of relayUrls(drandUrl)) {
		const answer = await fetchFromRelay(url, round, timeoutMs);
		if (answer.ok) return answer;
		failures.push(answer.failure);
	}
	return { ok: false, failures };
}

/** The relay base URLs of a `DRAND_URL` value, without trailing slashes. */
export function relayUrls(drandUrl: string | undefined): string[] {
	return (drandUrl ?? DEFAULT_DRAND_URL)
		.split(",")
		.map((url) => url.trim().replace(/\/+$/, ""))
		.filter((url) => url !== "");
}

async function fetchFromRelay(
	url: string,
	round: number,
	timeoutMs: number,
): Promise<{ ok: true; beacon: VerifiedRound; url: string } | { ok: false; failure: RelayFailure }> {
	const fail = (reason: RelayFailure["reason"], detail: string) => ({
		ok: false as const,
		failure: { url, reason, detail },
	});
	if (!/^https?:\/\//.test(url)) return fail("unreachable", "not an http(s) URL");
	let response: Response;
	try {
		response = await fetch(`${url}/${QUICKNET.chainHash}/public/${round}`, {
			headers: { accept: "application/json" },
			signal: AbortSignal.timeout(timeoutMs),
		});
	} catch (error) {
		return fail("unreachable", error instanceof Error ? error.message : String(error));
	}
	if (response.status === 404 || response.status === 425) {
		await response.body?.cancel();
		return fail("missing", `HTTP ${response.status}: the relay has not got round ${round}`);
	}
	if (!response.ok) {
		await response.body?.cancel();
		return fail("unreachable", `HTTP ${response.status}`);
	}
	let answer: unknown;
	try {
		answer = await response.json();
	} catch {
		return fail("malformed", "the answer is not JSON");
	}
	const check = verifyQuicknetRound(answer, round);
	return check.ok ? { ok: true, beacon: check.beacon, url } : fail(check.reason, check.detail);
}
