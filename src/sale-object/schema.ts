/**
 * The sale object's storage, versioned: an ordered list of migrations and
 * a row holding the version an object's tables are at. Each table belongs
 * to one capability, the only module that reads or writes it; its shape is
 * the sum of the migrations below.
 */

/** One step of the storage, applied once per object, in order. */
interface Migration {
	version: number;
	sql: string;
}

const MIGRATIONS: readonly Migration[] = [
	{
		// The tables as code before versions created them with the first
		// `configure`. An object made by that code has exactly these and no
		// version row, which is how `storedVersion` recognises it.
		version: 1,
		sql: `
			-- stock.ts. Buyers live in an indexed table on disk, never in a memory
			-- set, so a sale with a million buyers costs the isolate no more memory than ten.
			CREATE TABLE sale (
				singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
				id TEXT NOT NULL,
				name TEXT NOT NULL,
				description TEXT NOT NULL,
				price_cents INTEGER NOT NULL,
				currency TEXT NOT NULL,
				total_stock INTEGER NOT NULL,
				remaining INTEGER NOT NULL CHECK (remaining >= 0),
				starts_at INTEGER NOT NULL,
				ends_at INTEGER NOT NULL,
				max_per_user INTEGER NOT NULL,
				buyers INTEGER NOT NULL
			);
			-- Only user_id is indexed: every index is one more random B-tree
			-- insert per purchase, and orders are found by buyer or by seq.
			CREATE TABLE orders (
				seq INTEGER PRIMARY KEY AUTOINCREMENT,
				id TEXT NOT NULL,
				user_id TEXT NOT NULL UNIQUE,
				quantity INTEGER NOT NULL,
				created_at INTEGER NOT NULL
			);
			-- outbox.ts
			CREATE TABLE outbox (
				seq INTEGER PRIMARY KEY REFERENCES orders (seq)
			);
			-- outcome-counters.ts
			CREATE TABLE outcomes (
				outcome TEXT PRIMARY KEY,
				count INTEGER NOT NULL
			);
		`,
	},
	{
		version: 2,
		sql: `
			CREATE TABLE schema_version (
				singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
				version INTEGER NOT NULL
			);
			-- stock.ts: the attempt that created the order, so a retry of that
			-- attempt is told it bought rather than that it already had an order.
			ALTER TABLE orders ADD COLUMN attempt_id TEXT;
			-- outbox.ts: consecutive failed sends and when to try again, kept so
			-- that a restart does not reset the backoff.
			CREATE TABLE outbox_retry (
				singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
				failures INTEGER NOT NULL,
				retry_at INTEGER NOT NULL
			);
		`,
	},
	{
		version: 3,
		sql: `
			-- order-book-audit.ts: a row only while an audit of the order book is
			-- pending, kept so that a restart does not forget it.
			CREATE TABLE order_book_audit (
				singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
				due_at INTEGER NOT NULL,
				after_seq INTEGER NOT NULL
			);
		`,
	},
	{
		version: 4,
		sql: `
			-- The orders table is rebuilt without UNIQUE (user_id): a buyer whose
			-- hold expired or was cancelled may buy again. "At most one live order
			-- per buyer" is now stock.ts's rule, checked in the purchase's
			-- transaction. Foreign keys are always enforced in a Durable Object,
			-- so the outbox, which references orders (seq), moves to the new
			-- table first: the old one is dropped with nothing referencing it, and
			-- renaming the new one carries the outbox's reference along.
			CREATE TABLE orders_v3 (
				seq INTEGER PRIMARY KEY AUTOINCREMENT,
				id TEXT NOT NULL,
				user_id TEXT NOT NULL,
				quantity INTEGER NOT NULL,
				created_at INTEGER NOT NULL,
				attempt_id TEXT,
				variant_id TEXT NOT NULL DEFAULT 'default',
				status TEXT NOT NULL DEFAULT 'confirmed',
				hold_expires_at INTEGER,
				paid_at INTEGER,
				-- Grows with every change of the order, so the order book never moves it backwards.
				version INTEGER NOT NULL DEFAULT 1
			);
			INSERT INTO orders_v3 (seq, id, user_id, quantity, created_at, attempt_id)
				SELECT seq, id, user_id, quantity, created_at, attempt_id FROM orders;
			CREATE TABLE outbox_v3 (
				seq INTEGER PRIMARY KEY REFERENCES orders_v3 (seq)
			);
			INSERT INTO outbox_v3 (seq) SELECT seq FROM outbox;
			DROP TABLE outbox;
			DROP TABLE orders;
			ALTER TABLE orders_v3 RENAME TO orders;
			ALTER TABLE outbox_v3 RENAME TO outbox;
			CREATE INDEX orders_by_user ON orders (user_id);
			-- holds.ts finds the earliest deadline and the holds due; only held
			-- orders are in this index, so a sale without holds never writes it.
			CREATE INDEX orders_held_by_expiry ON orders (hold_expires_at) WHERE status = 'held';
			-- sale-gate.ts counts expired and cancelled orders for the admin figures
			-- from this index alone; orders that never end never enter it.
			CREATE INDEX orders_ended ON orders (status) WHERE status IN ('expired', 'cancelled');
			-- stock.ts: the sale's settings added by v2.
			ALTER TABLE sale ADD COLUMN image_url TEXT;
			ALTER TABLE sale ADD COLUMN hold_seconds INTEGER NOT NULL DEFAULT 0;
			ALTER TABLE sale ADD COLUMN mode TEXT NOT NULL DEFAULT 'first_come';
			ALTER TABLE sale ADD COLUMN shards INTEGER NOT NULL DEFAULT 1;
			-- stock.ts: stock per variant; sale.remaining stays their sum. A sale
			-- from before variants becomes its one variant, "default".
			CREATE TABLE variants (
				position INTEGER PRIMARY KEY,
				id TEXT NOT NULL UNIQUE,
				name TEXT NOT NULL,
				total_stock INTEGER NOT NULL,
				remaining INTEGER NOT NULL CHECK (remaining >= 0),
				held INTEGER NOT NULL CHECK (held >= 0)
			);
			INSERT INTO variants (position, id, name, total_stock, remaining, held)
				SELECT 0, 'default', name, total_stock, remaining, 0 FROM sale;
			-- waitlist.ts: buyers waiting for units of a variant to come back, first come first served.
			CREATE TABLE waitlist (
				seq INTEGER PRIMARY KEY AUTOINCREMENT,
				user_id TEXT NOT NULL UNIQUE,
				variant_id TEXT NOT NULL,
				quantity INTEGER NOT NULL,
				joined_at INTEGER NOT NULL
			);
			CREATE INDEX waitlist_by_variant ON waitlist (variant_id, seq);
		`,
	},
	{
		version: 5,
		sql: `
			-- checkouts.ts: the Checkout Session kept with each order that started
			-- paying (shared/API.md "Payment providers": only a payment through it
			-- may confirm the order). close_at is when the session is to be expired
			-- through the provider's API (the hold's end, or at once after a cancel),
			-- null once nothing is left to close; until then, and at most until
			-- grace_until, the hold waits for the provider's answer. paid_intent is
			-- the payment that confirmed the order, which is never refunded.
			CREATE TABLE checkouts (
				order_id TEXT PRIMARY KEY,
				order_seq INTEGER,
				session_id TEXT NOT NULL,
				session_ends_at INTEGER NOT NULL,
				grace_until INTEGER NOT NULL,
				close_at INTEGER,
				failures INTEGER NOT NULL DEFAULT 0,
				paid_intent TEXT
			);
			CREATE UNIQUE INDEX checkouts_by_seq ON checkouts (order_seq) WHERE order_seq IS NOT NULL;
			CREATE INDEX checkouts_to_close ON checkouts (close_at) WHERE close_at IS NOT NULL;
			CREATE INDEX checkouts_by_paid_intent ON checkouts (paid_intent) WHERE paid_intent IS NOT NULL;
			-- payment-events.ts: ids of the provider's events already applied, each
			-- kept 30 days, so a replayed or redelivered event changes nothing.
			CREATE TABLE payment_events (
				event_id TEXT PRIMARY KEY,
				applied_at INTEGER NOT NULL
			);
			CREATE INDEX payment_events_by_time ON payment_events (applied_at);
			-- refunds.ts: one row per payment intent to refund in full, kept while it
			-- is pending (retried with backoff from the alarm) and after, as its
			-- idempotency record: state is 'pending', 'refunded' or 'failed'.
			CREATE TABLE refunds (
				payment_intent TEXT PRIMARY KEY,
				order_id TEXT NOT NULL,
				reason TEXT NOT NULL,
				state TEXT NOT NULL DEFAULT 'pending',
				failures INTEGER NOT NULL DEFAULT 0,
				retry_at INTEGER NOT NULL,
				detail TEXT
			);
			CREATE INDEX refunds_pending ON refunds (retry_at) WHERE state = 'pending';
		`,
	},
	{
		version: 6,
		sql: `
			-- draw-entries.ts: one entry per buyer. Keyed by commitment, so the
			-- canonical list (sorted by commitment) is a scan of the table in key
			-- order; the buyer's entry is found through the user_id index. Both are
			-- B-tree lookups: an entry costs the same at ten entrants as at a million.
			CREATE TABLE draw_entries (
				commitment TEXT PRIMARY KEY,
				user_id TEXT NOT NULL UNIQUE,
				nonce TEXT NOT NULL,
				variant_id TEXT NOT NULL,
				quantity INTEGER NOT NULL,
				created_at INTEGER NOT NULL
			) WITHOUT ROWID;
			-- draw-runner.ts: the draw of a draw sale, one row. The beacon and round
			-- are fixed by configure; entrants counts entries as they come (never a
			-- COUNT(*)); the root is set once the list is frozen at endsAt; the
			-- beacon's values once drawn. failures counts unusable beacon reads in a
			-- row, for the backoff.
			CREATE TABLE draw (
				singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
				beacon TEXT NOT NULL,
				round INTEGER NOT NULL,
				local_secret TEXT,
				local_commitment TEXT,
				entrants INTEGER NOT NULL,
				entrants_root TEXT,
				randomness TEXT,
				signature TEXT,
				drawn_at INTEGER,
				failures INTEGER NOT NULL DEFAULT 0,
				-- Drawn-order position from which no entrant has been offered a unit yet, past the winners.
				offer_from INTEGER NOT NULL DEFAULT 0
			);
			-- draw-runner.ts: who was offered units, in the order they were: the
			-- winners first, then runners-up as units come back.
			CREATE TABLE draw_picks (
				seq INTEGER PRIMARY KEY AUTOINCREMENT,
				position INTEGER NOT NULL UNIQUE,
				commitment TEXT NOT NULL,
				winner INTEGER NOT NULL
			);
			-- draw-runner.ts: the drawn order of a draw with holds, as commitments
			-- (32 bytes each) in chunks, so a runner-up is found without drawing again.
			CREATE TABLE draw_order (
				chunk INTEGER PRIMARY KEY,
				commitments BLOB NOT NULL
			);
		`,
	},
	{
		version: 7,
		sql: `
			-- draw-entries.ts: entries per bucket of the sale's series (sales-series.ts:
			-- a second from startsAt, wider for a sale so long it would exceed 3,600),
			-- counted in each entry's transaction, so the console's entries over time
			-- cost a read of at most 3,600 rows, never a scan of the entries. Entries
			-- made before this version are counted once, here; a sale's times are
			-- fixed from its start, so the bucket width cannot change under the counts.
			CREATE TABLE draw_entries_per_bucket (
				bucket INTEGER PRIMARY KEY,
				entries INTEGER NOT NULL
			);
			INSERT INTO draw_entries_per_bucket (bucket, entries)
				SELECT (e.created_at - s.starts_at) / (MAX(1, (s.ends_at - s.starts_at + 3599999) / 3600000) * 1000), COUNT(*)
				FROM draw_entries e, sale s
				GROUP BY 1;
		`,
	},
	{
		version: 8,
		sql: `
			-- shard-lease.ts, in a shard of a sale with more than one (shared/API.md
			-- "Scale"): which shard this object is, and per variant the version of
			-- the last lease it applied and the units it is lent at a time.
			CREATE TABLE shard (
				singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
				shard INTEGER NOT NULL,
				shards INTEGER NOT NULL
			);
			CREATE TABLE shard_leases (
				variant_id TEXT PRIMARY KEY,
				version INTEGER NOT NULL,
				chunk INTEGER NOT NULL
			);
			-- coordinator.ts, in the home object of such a sale: the units lent to
			-- each shard as of the latest lease version it was sent (surrendering: a
			-- recall sent, its answer not yet in), the latest figures each shard
			-- reported, and how many calls from shards it has served.
			CREATE TABLE lease_ledger (
				shard INTEGER NOT NULL,
				variant_id TEXT NOT NULL,
				version INTEGER NOT NULL,
				allotted INTEGER NOT NULL,
				surrendering INTEGER NOT NULL DEFAULT 0,
				PRIMARY KEY (shard, variant_id)
			);
			CREATE TABLE shard_figures (
				shard INTEGER PRIMARY KEY,
				configured INTEGER NOT NULL DEFAULT 0,
				reported_at INTEGER NOT NULL DEFAULT 0,
				figures TEXT
			);
			CREATE TABLE coordinator (
				singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
				requests INTEGER NOT NULL
			);
			-- Units handed from the coordinator to a waiting buyer's shard, kept until
			-- the shard has placed the buyer's order.
			CREATE TABLE handovers (
				user_id TEXT PRIMARY KEY,
				shard INTEGER NOT NULL,
				variant_id TEXT NOT NULL,
				quantity INTEGER NOT NULL,
				version INTEGER NOT NULL,
				total INTEGER NOT NULL
			);
		`,
	},
	{
		version: 9,
		sql: `
			-- stock.ts: a purchase writes one stock row, its variant's. The sale's
			-- units left are its variants' summed, and its buyers are counted on the
			-- variant of each buyer's first order (those counted before this version
			-- on the first variant), so the sale row changes only when the sale does.
			ALTER TABLE variants ADD COLUMN buyers INTEGER NOT NULL DEFAULT 0;
			UPDATE variants SET buyers = IFNULL((SELECT buyers FROM sale), 0)
				WHERE position = (SELECT MIN(position) FROM variants);
			ALTER TABLE sale DROP COLUMN remaining;
			ALTER TABLE sale DROP COLUMN buyers;
		`,
	},
	{
		version: 10,
		sql: `
			-- shard-lease.ts: the sale as a whole as the coordinator last told the
			-- shard (JSON), so a shard restarted mid-sale never takes its own units
			-- left for the sale's.
			ALTER TABLE shard ADD COLUMN sale TEXT;
		`,
	},
	{
		version: 11,
		sql: `
			-- stock.ts: relay objects per shard that batch the sale's purchases.
			ALTER TABLE sale ADD COLUMN relays INTEGER NOT NULL DEFAULT 0;
		`,
	},
];

/** The version this code's tables are at. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/**
 * The version an object's tables are at: 0 if it has none (it was never
 * configured), 1 if code before versions created them.
 */
export function storedVersion(sql: SqlStorage): number {
	const tables = new Set(
		sql
			.exec<{ name: string }>(
				"SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('schema_version', 'sale')",
			)
			.toArray()
			.map((row) => row.name),
	);
	if (tables.has("schema_version")) {
		return sql.exec<{ version: number }>("SELECT version FROM schema_version").one().version;
	}
	return tables.has("sale") ? 1 : 0;
}

/**
 * Brings the object's tables to SCHEMA_VERSION in one transaction: either
 * every pending migration applies, or none does and the object keeps the
 * tables it had. Returns the version it found.
 */
export function migrate(storage: DurableObjectStorage): number {
	return storage.transactionSync(() => {
		const found = storedVersion(storage.sql);
		if (found > SCHEMA_VERSION) {
			// Rolled back to older code: running it over newer tables could corrupt them.
			throw new Error(`Storage is at version ${found}; this code knows up to ${SCHEMA_VERSION}`);
		}
		for (const migration of MIGRATIONS) {
			if (migration.version > found) storage.sql.exec(migration.sql);
		}
		if (found < SCHEMA_VERSION) {
			storage.sql.exec(
				"INSERT OR REPLACE INTO schema_version (singleton, version) VALUES (1, ?)",
				SCHEMA_VERSION,
			);
		}
		return found;
	});
}
