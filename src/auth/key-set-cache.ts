/** A public key as a JWKS lists it; `kid` names it in a token's header. */
export type PublicJwk = JsonWebKey & { kid?: string };

/**
 * How long a fetched key set is used before it is fetched again. Identity
 * providers publish a new key well before signing with it, and a token with
 * an unknown `kid` refetches sooner, so this only bounds how long a key the
 * provider withdrew keeps being trusted.
 */
const MAX_AGE_MS = 10 * 60_000;
/**
 * The least time between two fetches of one key set after a success: made-up
 * `kid`s cannot be turned into a flood of requests to the provider.
 */
const COOLDOWN_MS = 30_000;
/** After a failed fetch the next try comes sooner, so a blip costs seconds. */
const RETRY_AFTER_FAILURE_MS = 5_000;
/**
 * A set that cannot be refreshed is still used this long after its last
 * successful fetch, so a provider outage does not sign every buyer out; past
 * it, a key the provider may have withdrawn is no longer trusted.
 */
const STALE_LIMIT_MS = 60 * 60_000;
/** A provider that does not answer must not hold a buyer's request for long. */
const FETCH_TIMEOUT_MS = 5_000;

interface CachedSet {
	keys: PublicJwk[] | null;
	fetchedAt: number;
	nextFetchAt: number;
	/** The fetch under way, shared by every request of this isolate that needs it. */
	pending: Promise<void> | null;
}

/** Per isolate, by URL: a key set is public and the same for every request. */
const sets = new Map<string, CachedSet>();

/** The key set could not be fetched and no usable copy is cached. */
export class KeySetUnavailable extends Error {
	readonly retryAfterSeconds: number;

	constructor(url: string, retryAfterSeconds: number) {
		super(`The key set at ${url} cannot be fetched`);
		this.retryAfterSeconds = retryAfterSeconds;
	}
}

/**
 * The keys published at `url`, for verifying a token signed with key `kid`.
 * Fetched on first use and when older than ten minutes; a `kid` not in the
 * cached set refetches at once unless the set was fetched in the last 30 s.
 * Throws `KeySetUnavailable` only when no set fetched within the hour exists.
 */
export async function keysFor(url: string, kid: string): Promise<PublicJwk[]> {
	let set = sets.get(url);
	if (!set) {
		set = { keys: null, fetchedAt: 0, nextFetchAt: 0, pending: null };
		sets.set(url, set);
	}
	const now = Date.now();
	const fresh = set.keys !== null && now - set.fetchedAt < MAX_AGE_MS;
	const knowsKid = set.keys?.some((key) => key.kid === kid) ?? false;
	if (set.pending || (now >= set.nextFetchAt && !(fresh && knowsKid))) {
		await refresh(url, set);
	}
	if (set.keys && Date.now() - set.fetchedAt < STALE_LIMIT_MS) return set.keys;
	throw new KeySetUnavailable(url, Math.max(1, Math.ceil((set.nextFetchAt - Date.now()) / 1000)));
}

function refresh(url: string, set: CachedSet): Promise<void> {
	set.pending ??= fetchKeySet(url)
		.then(
			(keys) => {
				set.keys = keys;
				set.fetchedAt = Date.now();
				set.nextFetchAt = set.fetchedAt + COOLDOWN_MS;
			},
			(error: unknown) => {
				set.nextFetchAt = Date.now() + RETRY_AFTER_FAILURE_MS;
				console.error(JSON.stringify({ event: "key_set_unavailable", url, error: String(error) }));
			},
		)
		.finally(() => {
			set.pending = null;
		});
	return set.pending;
}

async function fetchKeySet(url: string): Promise<PublicJwk[]> {
	const response = await fetch(url, {
		headers: { accept: "application/json" },
		signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
	});
	if (!response.ok) throw new Error(`HTTP ${response.status}`);
	const body: unknown = await response.json();
	const keys = typeof body === "object" && body !== null && "keys" in body ? body.keys : undefined;
	if (!Array.isArray(keys)) throw new Error("not a JWKS: no keys array");
	return keys.filter(
		(key): key is PublicJwk => typeof key === "object" && key !== null && typeof key.kid === "string",
	);
}
