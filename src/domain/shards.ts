/**
 * How a sale with `shards: K` spreads over Durable Objects (shared/API.md
 * "Scale"): K shard objects take the orders, each for its own buyers, and
 * the sale's home object coordinates them. With K = 1 the home object is
 * the only one and takes the orders itself.
 */

/** The most shards a sale may have. */
export const MAX_SHARDS = 64;

/**
 * The most relays a shard may have. Each relay keeps one call in flight to
 * its shard, so a shard never has more requests waiting than this, however
 * big the crowd (bench/capacity-model.ts has the figures).
 */
export const MAX_RELAYS = 8;

/**
 * The shard that serves a buyer: FNV-1a (32 bits) of the sale and the
 * buyer, modulo K. Stable across isolates, deploys and restarts, so a
 * buyer always reaches the object that knows their orders, and cheap
 * enough to compute on every request without a round trip.
 */
export function shardOf(saleId: string, buyerId: string, shards: number): number {
	if (shards <= 1) return 0;
	let hash = 0x811c9dc5;
	for (const text of [saleId, "\n", buyerId]) {
		for (let i = 0; i < text.length; i++) {
			hash ^= text.charCodeAt(i);
			hash = Math.imul(hash, 0x01000193);
		}
	}
	return (hash >>> 0) % shards;
}

/**
 * The name of a sale's shard object. Sale ids are slugs, so no sale's home
 * object can ever be named like another sale's shard.
 */
export function shardName(saleId: string, shard: number): string {
	return `${saleId}#${shard}`;
}

/**
 * The units a shard is lent at a time of one variant: half its fair share,
 * so half the stock stays with the coordinator for the shards that sell
 * fastest (the capacity model in bench/ uses the same rule).
 */
export function leaseChunk(units: number, shards: number): number {
	return Math.max(1, Math.ceil(units / (2 * shards)));
}

/**
 * The name of one of the relay objects in front of a sale's object (its
 * home object, or one of its shards). Relays are a class of their own, so
 * their names cannot meet the sale objects'.
 */
export function relayName(objectName: string, relay: number): string {
	return `${objectName}~${relay}`;
}
