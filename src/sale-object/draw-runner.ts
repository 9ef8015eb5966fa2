import type { SaleRow } from "../domain/sale";
import { fetchQuicknetRound, type RelayFailure } from "../draw/drand-relay";
import {
	type BeaconKind,
	DRAW_ALGORITHM,
	type DrawOutcome,
	entryCommitment,
	randomSource,
	runDraw,
} from "../draw/draw-v1";
import {
	COMMITMENT_BYTES,
	commitmentAt,
	type EntrantList,
	EntrantListBuilder,
	entrantsRoot,
} from "../draw/entrant-list";
import { bytesToHex } from "../draw/hex";
import { createLocalBeacon, revealLocalBeacon } from "../draw/local-beacon";
import { QUICKNET, quicknetRound } from "../draw/quicknet";
import type { WakeAt } from "./alarm-scheduler";
import { columns, type Row } from "./columns";
import type { DrawEntries, Entry } from "./draw-entries";
import type { DrawView } from "./draw-results";

/** What the draw needs from the object around it. */
export interface DrawHost {
	storage: DurableObjectStorage;
	entries: DrawEntries;
	sale(): SaleRow | null;
	/** The sale's variants in its order, with their stock: the draw starts from `totalStock`. */
	variants(): readonly { id: string; totalStock: number }[];
	/** A variant's units left, as storage has them inside the current transaction. */
	remainingOf(variantId: string): number;
	/** Gives an entrant an order exactly as a purchase would (held or confirmed), inside the caller's transaction. */
	placeOrder(userId: string, variantId: string, quantity: number, now: number): void;
	/** After a transaction that placed orders commits: the mirrors, holds and outbox catch up. */
	committed(): void;
	/** `DRAND_URL`: the relays to read rounds from. */
	drandUrl: string | undefined;
	wakeAt: WakeAt;
}

/** The draw row, mirrored in memory. */
type DrawRow = {
	beacon: BeaconKind;
	round: number;
	localSecret: string | null;
	localCommitment: string | null;
	entrants: number;
	entrantsRoot: string | null;
	randomness: string | null;
	signature: string | null;
	drawnAt: number | null;
	failures: number;
	offerFrom: number;
};

const DRAW = columns<DrawRow>({
	beacon: "beacon",
	round: "round",
	localSecret: "local_secret",
	localCommitment: "local_commitment",
	entrants: "entrants",
	entrantsRoot: "entrants_root",
	randomness: "randomness",
	signature: "signature",
	drawnAt: "drawn_at",
	failures: "failures",
	offerFrom: "offer_from",
});

/** Commitments per row of `draw_order`: 1 MiB, half the largest value a Durable Object's SQLite row may hold. */
const ORDER_CHUNK = 32_768;
/** Returned units are offered to runners-up until this long after `endsAt` (shared/API.md "Draws"). */
const OFFER_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Backoff between beacon reads that gave nothing usable: 1 s, 2 s, 4 s, … up to this. */
const MAX_RETRY_MS = 60_000;

/**
 * The draw of a draw sale (shared/API.md "Draws"): the beacon and round
 * fixed at creation, the entrant list frozen and its root published from
 * `endsAt`, and, once the beacon's value is known and verified, one run of
 * doorbuster-draw-v1 whose winners get orders through the purchase path.
 *
 * Fairness rests on an order of events: the root is stored (and shown) at
 * `endsAt`, and the quicknet round is not read before its time, at least
 * 30 s later; a round that is missing or does not verify is never used.
 * The draw commits in one transaction with its winners' orders, so it
 * happens once: a second alarm, or a restart midway, finds it drawn or not
 * at all.
 */
export class DrawRunner {
	readonly #host: DrawHost;
	readonly #sql: SqlStorage;
	#row: DrawRow | null = null;
	/**
	 * Per variant, what a runner-up scan that found nobody learnt: from drawn
	 * position `from` on, every entrant of the variant not yet offered asks
	 * at least `smallest` units (Infinity: none is left). Entrants and the
	 * drawn order never change once drawn, picks only remove entrants and
	 * `offer_from` only grows, so fewer units find nobody there later either,
	 * and the scan (two point queries a position, to the end of the order,
	 * inside the holds alarm's transaction) is skipped. In memory only: a
	 * restart simply scans once more.
	 */
	readonly #noFit = new Map<string, { from: number; smallest: number }>();

	constructor(host: DrawHost) {
		this.#host = host;
		this.#sql = host.storage.sql;
	}

	/** Reads the draw row, once the object has tables. */
	load(): void {
		this.#noFit.clear();
		this.#row = this.#sql.exec<Row<DrawRow>>(`SELECT ${DRAW.select} FROM draw`).toArray()[0] ?? null;
	}

	/**
	 * Fixes the beacon of a sale just created or replaced (before its start,
	 * so it has no entries): a draw sale gets its round from `endsAt`, or a
	 * new local secret; any other sale has no draw.
	 */
	configure(sale: SaleRow, beacon: BeaconKind): void {
		this.#noFit.clear();
		if (sale.mode !== "draw") {
			this.#sql.exec("DELETE FROM draw");
			this.#row = null;
			return;
		}
		const local = beacon === "local" ? createLocalBeacon() : null;
		const row: DrawRow = {
			beacon,
			round: local ? 0 : quicknetRound(sale.endsAt),
			localSecret: local?.secret ?? null,
			localCommitment: local?.commitment ?? null,
			entrants: 0,
			entrantsRoot: null,
			randomness: null,
			signature: null,
			drawnAt: null,
			failures: 0,
			offerFrom: 0,
		};
		this.#sql.exec(
			`INSERT OR REPLACE INTO draw (singleton, ${DRAW.names}) VALUES (1, ${DRAW.placeholders})`,
			...DRAW.values(row),
		);
		this.#row = row;
		this.resume();
	}

	/** After a (re)start or a configure: asks the alarm for the draw's next step, if it is not drawn. */
	resume(): void {
		const sale = this.#host.sale();
		const row = this.#row;
		if (!sale || !row || row.drawnAt !== null) return;
		this.#host.wakeAt(row.entrantsRoot === null ? sale.endsAt : this.#beaconDueAt(sale));
	}

	/** How many entered so far. */
	get entrants(): number {
		return this.#row?.entrants ?? 0;
	}

	/** Records the buyer's entry and counts it, in one transaction; the caller has checked the sale is open. */
	enter(sale: SaleRow, userId: string, variantId: string, quantity: number, now: number): Entry {
		const row = this.#row;
		if (!row) throw new Error("enter() on a sale without a draw");
		const entry = this.#host.storage.transactionSync(() => {
			const added = this.#host.entries.add(sale, userId, variantId, quantity, now, (nonce) =>
				entryCommitment(sale.id, userId, nonce),
			);
			this.#sql.exec("UPDATE draw SET entrants = entrants + 1");
			return added;
		});
		this.#row = { ...row, entrants: row.entrants + 1 };
		return entry;
	}

	/**
	 * The alarm's work: freezes the list at `endsAt`, then at the round's time
	 * reads and verifies the beacon, and draws. Safe to run any number of times.
	 */
	async run(dueBy: number): Promise<void> {
		const sale = this.#host.sale();
		if (!sale || !this.#row || this.#row.drawnAt !== null) return;
		// The real clock, not the time the alarm stands for: entries are judged by it, so the
		// list may only be frozen once no entry can come in any more.
		if (Date.now() < sale.endsAt) {
			this.#host.wakeAt(sale.endsAt);
			return;
		}
		let list = this.#freeze(sale, Date.now());
		const reveal = await this.#reveal(sale, dueBy);
		// The input gate opens while the relays answer; only this alarm draws, but check anyway.
		if (!reveal || this.#row.drawnAt !== null) return;
		list ??= this.#readList();
		this.#draw(sale, list, reveal);
	}

	/**
	 * Freezes the entrant list once `now` (the clock entries are judged by) is
	 * at or past `endsAt`: entries are refused from then on, so the list can
	 * no longer change, and its root is
	 * stored and published before any beacon is read. Returns the list if it
	 * had to read it.
	 */
	#freeze(sale: SaleRow, now: number): EntrantList | undefined {
		const row = this.#row;
		if (!row || row.entrantsRoot !== null || now < sale.endsAt) return undefined;
		const list = this.#readList();
		const root = bytesToHex(entrantsRoot(list));
		this.#sql.exec("UPDATE draw SET entrants_root = ?", root);
		this.#row = { ...row, entrantsRoot: root };
		console.log(
			JSON.stringify({ event: "draw_frozen", saleId: sale.id, entrants: list.count, entrantsRoot: root }),
		);
		return list;
	}

	/** The beacon's value once it may be read and verifies; undefined (with a retry asked for) otherwise. */
	async #reveal(
		sale: SaleRow,
		dueBy: number,
	): Promise<{ randomness: string; signature: string } | undefined> {
		const row = this.#row;
		if (!row) return undefined;
		if (row.beacon === "local") {
			if (row.localSecret === null || row.localCommitment === null)
				throw new Error("a local draw without its secret");
			return revealLocalBeacon({ secret: row.localSecret, commitment: row.localCommitment });
		}
		const roundAt = roundTimeMs(row.round);
		if (dueBy < roundAt) {
			this.#host.wakeAt(roundAt);
			return undefined;
		}
		const fetched = await fetchQuicknetRound(this.#host.drandUrl, row.round);
		if (fetched.ok) return fetched.beacon;
		this.#failed(sale, fetched.failures);
		return undefined;
	}

	/** Counts a beacon read that gave nothing usable, logs why, and retries with backoff. */
	#failed(sale: SaleRow, failures: RelayFailure[]): void {
		const row = this.#row;
		if (!row) return;
		const count = row.failures + 1;
		this.#sql.exec("UPDATE draw SET failures = ?", count);
		this.#row = { ...row, failures: count };
		const retryInMs = Math.min(MAX_RETRY_MS, 1_000 * 2 ** Math.min(count - 1, 16));
		console.error(
			JSON.stringify({
				event: "draw_beacon_unusable",
				saleId: sale.id,
				round: row.round,
				attempt: count,
				retryInMs,
				failures,
			}),
		);
		this.#host.wakeAt(Date.now() + retryInMs);
	}

	/** The canonical list, read from storage in key order, in columns (a million entrants: about 37 MB). */
	#readList(): EntrantList {
		const builder = new EntrantListBuilder(
			this.#host.variants().map((variant) => variant.id),
			this.entrants,
		);
		for (const entrant of this.#host.entries.canonical())
			builder.add(entrant.commitment, entrant.variantId, entrant.quantity);
		return builder.build();
	}

	/**
	 * Runs doorbuster-draw-v1 and commits it with the winners' orders in one
	 * transaction. The root it recomputes must be the one published at the
	 * freeze: anything else is a bug, and nothing is drawn.
	 */
	#draw(sale: SaleRow, list: EntrantList, reveal: { randomness: string; signature: string }): void {
		const row = this.#row;
		if (!row) return;
		const stock = Object.fromEntries(
			this.#host.variants().map((variant) => [variant.id, variant.totalStock]),
		);
		const outcome = runDraw(list, stock, randomSource(row.beacon, reveal));
		if (outcome.entrantsRoot !== row.entrantsRoot) {
			throw new Error(`the list changed after it was frozen: ${outcome.entrantsRoot} ≠ ${row.entrantsRoot}`);
		}
		const now = Date.now();
		const picks = winnerPositions(list, outcome);
		const offerFrom = firstUnpicked(picks, 0, list.count);
		this.#host.storage.transactionSync(() => {
			this.#sql.exec(
				"UPDATE draw SET randomness = ?, signature = ?, drawn_at = ?, offer_from = ?",
				reveal.randomness,
				reveal.signature,
				now,
				offerFrom,
			);
			for (const position of picks.positions) {
				const commitment = commitmentAt(list, outcome.order[position] as number);
				this.#pick(position, commitment, true, now);
			}
			if (sale.holdSeconds > 0) this.#storeOrder(list, outcome.order);
		});
		this.#row = {
			...row,
			randomness: reveal.randomness,
			signature: reveal.signature,
			drawnAt: now,
			offerFrom,
		};
		this.#host.committed();
		console.log(
			JSON.stringify({
				event: "drawn",
				saleId: sale.id,
				entrants: list.count,
				winners: picks.positions.length,
				round: row.round,
			}),
		);
	}

	/** Records an entrant as offered units and gives them their order, inside the caller's transaction. */
	#pick(position: number, commitment: string, winner: boolean, now: number): void {
		const entry = this.#host.entries.byCommitment(commitment);
		if (!entry) throw new Error(`no entry has commitment ${commitment}`);
		this.#sql.exec(
			"INSERT INTO draw_picks (position, commitment, winner) VALUES (?, ?, ?)",
			position,
			commitment,
			winner ? 1 : 0,
		);
		this.#host.placeOrder(entry.userId, entry.variantId, entry.quantity, now);
	}

	/** Keeps the drawn order as commitments, so runners-up are found later without drawing again. */
	#storeOrder(list: EntrantList, order: Uint32Array): void {
		for (let chunk = 0; chunk * ORDER_CHUNK < order.length; chunk++) {
			const from = chunk * ORDER_CHUNK;
			const to = Math.min(order.length, from + ORDER_CHUNK);
			const bytes = new Uint8Array((to - from) * COMMITMENT_BYTES);
			for (let position = from; position < to; position++) {
				const index = order[position] as number;
				bytes.set(
					list.commitments.subarray(index * COMMITMENT_BYTES, (index + 1) * COMMITMENT_BYTES),
					(position - from) * COMMITMENT_BYTES,
				);
			}
			this.#sql.exec("INSERT INTO draw_order (chunk, commitments) VALUES (?, ?)", chunk, bytes);
		}
	}

	/**
	 * Units that came back in a drawn sale with holds go, while any fits, to
	 * the earliest entrant in drawn order never yet offered a unit whose
	 * variant and quantity fit them, as a fresh held order (shared/API.md
	 * "Draws"); inside the caller's transaction. Offers stop at `endsAt` + 24 h.
	 */
	offer(variantId: string, now: number): void {
		const sale = this.#host.sale();
		const row = this.#row;
		if (!sale || !row || row.drawnAt === null || sale.holdSeconds === 0) return;
		if (now >= sale.endsAt + OFFER_WINDOW_MS) return;
		const reader = new OrderReader(this.#sql);
		// Read from storage, not the mirror: this runs inside a transaction that may yet roll back.
		const stored = this.#sql
			.exec<{ offerFrom: number }>("SELECT offer_from AS offerFrom FROM draw")
			.one().offerFrom;
		let offerFrom = stored;
		let pickedHere = false;
		for (;;) {
			const units = this.#host.remainingOf(variantId);
			if (units <= 0) break;
			const known = this.#noFit.get(variantId);
			if (known && known.from <= offerFrom && units < known.smallest) break;
			const found = this.#firstFitting(reader, offerFrom, row.entrants, variantId, units);
			if (found.position === null) {
				// Kept only if this call picked nobody first: a rollback of the caller's
				// transaction would make those entrants offerable again, and the memory
				// would outlive it. (Each transaction offers a variant once: #release.)
				if (!pickedHere) this.#noFit.set(variantId, { from: offerFrom, smallest: found.smallest });
				break;
			}
			this.#pick(found.position, reader.at(found.position), false, now);
			pickedHere = true;
			while (offerFrom < row.entrants && this.#picked(offerFrom)) offerFrom++;
		}
		if (offerFrom !== stored) this.#sql.exec("UPDATE draw SET offer_from = ?", offerFrom);
	}

	/**
	 * The earliest position from `from` not yet offered whose entrant's
	 * variant and quantity fit `units`; or none, with the smallest quantity
	 * an entrant of the variant there asks (Infinity if there is none).
	 */
	#firstFitting(
		reader: OrderReader,
		from: number,
		count: number,
		variantId: string,
		units: number,
	): { position: number } | { position: null; smallest: number } {
		let smallest = Number.POSITIVE_INFINITY;
		for (let position = from; position < count; position++) {
			if (this.#picked(position)) continue;
			const entry = this.#host.entries.byCommitment(reader.at(position));
			if (!entry || entry.variantId !== variantId) continue;
			if (entry.quantity <= units) return { position };
			smallest = Math.min(smallest, entry.quantity);
		}
		return { position: null, smallest };
	}

	#picked(position: number): boolean {
		return this.#sql.exec("SELECT 1 FROM draw_picks WHERE position = ?", position).toArray().length > 0;
	}

	/**
	 * The draw as published: beacon and round from creation; the count and
	 * root from `endsAt` (frozen here if the alarm has not run yet); the
	 * beacon's values, winners and runners-up once drawn.
	 */
	view(now: number): DrawView | null {
		const sale = this.#host.sale();
		if (!sale || !this.#row) return null;
		this.#freeze(sale, now);
		const row = this.#row;
		const view: DrawView = {
			beacon: row.beacon,
			chainHash: row.beacon === "drand-quicknet" ? QUICKNET.chainHash : null,
			round: row.round,
			status: now < sale.endsAt ? "open" : row.drawnAt === null ? "waiting" : "drawn",
		};
		if (row.localCommitment !== null) view.commitment = row.localCommitment;
		if (row.entrantsRoot === null) return view;
		view.entrants = row.entrants;
		view.entrantsRoot = row.entrantsRoot;
		if (row.drawnAt === null || row.randomness === null || row.signature === null) return view;
		const picks = this.#sql
			.exec<{ commitment: string; winner: number }>("SELECT commitment, winner FROM draw_picks ORDER BY seq")
			.toArray();
		return {
			...view,
			randomness: row.randomness,
			signature: row.signature,
			winners: picks.filter((pick) => pick.winner === 1).map((pick) => pick.commitment),
			runnersUp: picks.filter((pick) => pick.winner === 0).map((pick) => pick.commitment),
			algorithm: DRAW_ALGORITHM,
		};
	}

	/** Whether the list is frozen (published) by `now`; freezes it if it is time. */
	frozen(now: number): boolean {
		const sale = this.#host.sale();
		if (!sale || !this.#row) return false;
		this.#freeze(sale, now);
		return this.#row.entrantsRoot !== null;
	}

	/** When the quicknet round may be read, or now for a retry; the local beacon is due at `endsAt`. */
	#beaconDueAt(sale: SaleRow): number {
		const row = this.#row;
		if (!row || row.beacon === "local") return sale.endsAt;
		return Math.max(roundTimeMs(row.round), row.failures > 0 ? Date.now() : 0);
	}
}

/** When quicknet publishes `round`: genesis + (round − 1) periods. */
function roundTimeMs(round: number): number {
	return (QUICKNET.genesisTime + (round - 1) * QUICKNET.periodSeconds) * 1_000;
}

/** The drawn-order positions of the winners, in drawn order, and a flag per position. */
function winnerPositions(list: EntrantList, outcome: DrawOutcome): { positions: number[]; won: Uint8Array } {
	const isWinner = new Uint8Array(list.count);
	for (const index of outcome.winners) isWinner[index] = 1;
	const won = new Uint8Array(list.count);
	const positions: number[] = [];
	for (let position = 0; position < outcome.order.length; position++) {
		if (isWinner[outcome.order[position] as number] === 1) {
			won[position] = 1;
			positions.push(position);
		}
	}
	return { positions, won };
}

/** The first position from `from` that is not a winner's. */
function firstUnpicked(picks: { won: Uint8Array }, from: number, count: number): number {
	let position = from;
	while (position < count && picks.won[position] === 1) position++;
	return position;
}

/** Reads commitments of the stored drawn order, one chunk kept at a time. */
class OrderReader {
	readonly #sql: SqlStorage;
	#chunk = -1;
	#bytes = new Uint8Array(0);

	constructor(sql: SqlStorage) {
		this.#sql = sql;
	}

	/** The commitment at drawn-order `position`. */
	at(position: number): string {
		const chunk = Math.floor(position / ORDER_CHUNK);
		if (chunk !== this.#chunk) {
			const row = this.#sql
				.exec<{ commitments: ArrayBuffer }>("SELECT commitments FROM draw_order WHERE chunk = ?", chunk)
				.toArray()[0];
			if (!row) throw new Error(`the drawn order has no chunk ${chunk}`);
			this.#bytes = new Uint8Array(row.commitments);
			this.#chunk = chunk;
		}
		const offset = (position % ORDER_CHUNK) * COMMITMENT_BYTES;
		return bytesToHex(this.#bytes, offset, offset + COMMITMENT_BYTES);
	}
}
