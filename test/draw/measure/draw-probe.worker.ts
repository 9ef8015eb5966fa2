// A Durable Object that holds synthetic entrants in its SQLite storage and
// runs doorbuster-draw-v1 over them phase by phase, as the sale's object
// will: read the list in canonical order from storage, then draw.

import { DurableObject } from "cloudflare:workers";
import { sha256 } from "@noble/hashes/sha2.js";
import { drawSeed, pickWinners } from "../../../src/draw/draw-v1.ts";
import { type EntrantList, EntrantListBuilder, entrantsRoot } from "../../../src/draw/entrant-list.ts";
import { shuffledOrder } from "../../../src/draw/shuffle.ts";
import { forEachRow, RANDOMNESS, STOCK, VARIANT_IDS } from "./synthetic-entrants.ts";

interface ProbeEnv {
	PROBE: DurableObjectNamespace<DrawProbe>;
}

export class DrawProbe extends DurableObject<ProbeEnv> {
	#list: EntrantList | undefined;
	#root: Uint8Array | undefined;
	#order: Uint32Array | undefined;

	constructor(ctx: DurableObjectState, env: ProbeEnv) {
		super(ctx, env);
		ctx.storage.sql.exec(
			"CREATE TABLE IF NOT EXISTS entrants (commitment TEXT PRIMARY KEY, variant_id TEXT NOT NULL, quantity INTEGER NOT NULL) WITHOUT ROWID",
		);
	}

	fill(from: number, count: number): number {
		const sql = this.ctx.storage.sql;
		this.ctx.storage.transactionSync(() =>
			forEachRow(from, count, ([commitment, variantId, quantity]) =>
				sql.exec("INSERT INTO entrants VALUES (?, ?, ?)", commitment, variantId, quantity),
			),
		);
		return from + count;
	}

	readList(): number {
		const sql = this.ctx.storage.sql;
		const count = sql.exec<{ n: number }>("SELECT count(*) AS n FROM entrants").one().n;
		const builder = new EntrantListBuilder(VARIANT_IDS, count);
		const rows = sql.exec<{ commitment: string; variant_id: string; quantity: number }>(
			"SELECT commitment, variant_id, quantity FROM entrants ORDER BY commitment",
		);
		for (const row of rows) builder.add(row.commitment, row.variant_id, row.quantity);
		this.#list = builder.build();
		return count;
	}

	root(): number {
		this.#root = entrantsRoot(this.#list as EntrantList);
		return this.#root.length;
	}

	shuffle(): number {
		const list = this.#list as EntrantList;
		this.#order = shuffledOrder(list.count, drawSeed(RANDOMNESS, this.#root as Uint8Array));
		return this.#order.length;
	}

	winners(): number {
		return pickWinners(this.#list as EntrantList, this.#order as Uint32Array, STOCK).length;
	}

	forget(): void {
		this.#list = undefined;
		this.#root = undefined;
		this.#order = undefined;
	}

	reference(): number {
		return sha256(new Uint8Array(64 * 1024 * 1024).fill(7)).length;
	}
}

export default {
	async fetch(request: Request, env: ProbeEnv): Promise<Response> {
		const url = new URL(request.url);
		const probe = env.PROBE.get(env.PROBE.idFromName("probe"));
		const number = (name: string) => Number(url.searchParams.get(name));
		switch (url.pathname) {
			case "/fill":
				return Response.json(await probe.fill(number("from"), number("count")));
			case "/read":
				return Response.json(await probe.readList());
			case "/root":
				return Response.json(await probe.root());
			case "/shuffle":
				return Response.json(await probe.shuffle());
			case "/winners":
				return Response.json(await probe.winners());
			case "/forget":
				return Response.json(await probe.forget());
			case "/reference":
				return Response.json(await probe.reference());
			default:
				return new Response("not found", { status: 404 });
		}
	},
} satisfies ExportedHandler<ProbeEnv>;
