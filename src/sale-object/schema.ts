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
