import type { SaleRow } from "../domain/sale";
import { NONCE_BYTES } from "../draw/draw-v1";
import type { Entrant } from "../draw/entrant-list";
import { bytesToHex } from "../draw/hex";
import { columns, type Row } from "./columns";
import { bucketCounts, seriesBucketMs } from "./sales-series";

/** A buyer's entry as its owner sees it (shared/API.md "Draws"); the nonce is shown to nobody else. */
export interface Entry {
	commitment: string;
	nonce: string;
	variantId: string;
	quantity: number;
	createdAt: number;
}

/** An entry as the table holds it. */
type EntryRow = Entry & { userId: string };

const ENTRY = columns<EntryRow>({
	commitment: "commitment",
	userId: "user_id",
	nonce: "nonce",
	variantId: "variant_id",
	quantity: "quantity",
	createdAt: "created_at",
});

const INSERT_ENTRY = `INSERT INTO draw_entries (${ENTRY.names}) VALUES (${ENTRY.placeholders})`;
const SELECT_ENTRY_OF = `SELECT ${ENTRY.select} FROM draw_entries WHERE user_id = ?`;
const SELECT_BY_COMMITMENT = `SELECT ${ENTRY.select} FROM draw_entries WHERE commitment = ?`;
const ENTRANT = "commitment, variant_id AS variantId, quantity";
const COUNT_IN_BUCKET = `INSERT INTO draw_entries_per_bucket (bucket, entries) VALUES (?, 1)
	ON CONFLICT (bucket) DO UPDATE SET entries = entries + 1`;

/**
 * The entries of a draw sale, in table `draw_entries`: one per buyer, each
 * with the nonce the server drew for it and its commitment
 * (doorbuster-draw-v1 step 1). Nothing here is held in memory, so a million
 * entrants cost the isolate no more than ten. Entries over time are counted
 * as they come, in `draw_entries_per_bucket`: the table has no order to
 * resume a count from, and counting a million entries at every poll of the
 * console would hold the object for hundreds of milliseconds.
 */
export class DrawEntries {
	readonly #sql: SqlStorage;

	constructor(sql: SqlStorage) {
		this.#sql = sql;
	}

	/** The buyer's entry, or null. */
	of(userId: string): Entry | null {
		return strip(this.#sql.exec<Row<EntryRow>>(SELECT_ENTRY_OF, userId).toArray()[0]);
	}

	/** The entry with this commitment, with its owner, or null. */
	byCommitment(commitment: string): (Entry & { userId: string }) | null {
		return this.#sql.exec<Row<EntryRow>>(SELECT_BY_COMMITMENT, commitment).toArray()[0] ?? null;
	}

	/**
	 * Records a new entry, and counts it in its bucket of the sale's series,
	 * inside the caller's transaction; `commit` makes its commitment from the
	 * nonce drawn here.
	 */
	add(
		sale: Pick<SaleRow, "startsAt" | "endsAt">,
		userId: string,
		variantId: string,
		quantity: number,
		now: number,
		commit: (nonce: string) => string,
	): Entry {
		const nonce = bytesToHex(crypto.getRandomValues(new Uint8Array(NONCE_BYTES)));
		const entry: EntryRow = { commitment: commit(nonce), userId, nonce, variantId, quantity, createdAt: now };
		this.#sql.exec(INSERT_ENTRY, ...ENTRY.values(entry));
		this.#sql.exec(COUNT_IN_BUCKET, Math.floor((now - sale.startsAt) / seriesBucketMs(sale)));
		return strip(entry) as Entry;
	}

	/** Entries per bucket (seriesBucketMs) from the start up to now or the end: at most 3,600 rows read. */
	perBucket(sale: Pick<SaleRow, "startsAt" | "endsAt">, now: number): number[] {
		const counts = new Map<number, number>();
		for (const { bucket, entries } of this.#sql.exec<{ bucket: number; entries: number }>(
			"SELECT bucket, entries FROM draw_entries_per_bucket",
		)) {
			counts.set(bucket, entries);
		}
		return bucketCounts(sale, now, (bucket) => counts.get(bucket));
	}

	/** Every entrant in canonical order: by commitment, the table's key, whose BINARY order is the hex's byte order. */
	canonical(): Iterable<Entrant> {
		return this.#sql.exec<Row<Entrant>>(`SELECT ${ENTRANT} FROM draw_entries ORDER BY commitment`);
	}

	/** Up to `limit` entrants in canonical order after the commitment `after` ("" for the start). */
	page(after: string, limit: number): Entrant[] {
		return this.#sql
			.exec<Row<Entrant>>(
				`SELECT ${ENTRANT} FROM draw_entries WHERE commitment > ? ORDER BY commitment LIMIT ?`,
				after,
				limit,
			)
			.toArray();
	}
}

function strip(row: EntryRow | undefined): Entry | null {
	if (!row) return null;
	const { userId: _userId, ...entry } = row;
	return entry;
}
