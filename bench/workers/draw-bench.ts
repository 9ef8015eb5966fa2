import { sha256 } from "@noble/hashes/sha2.js";
import type { SaleInput } from "../../src/domain/sale";
import { SaleGate } from "../../src/sale-object";
import { type BatchTiming, timeInGroups } from "./timed-groups";

/**
 * The draw benchmark's side of the runtime: Doorbuster's SaleGate with
 * bench-only methods to fill it with entries fast, time entries inside it,
 * and end its window without waiting a day for it.
 *
 * The clock of this isolate (and only this one: Doorbuster's Worker runs in
 * its own) can be moved forward, so a sale filled for minutes can still
 * take entries, then end at once and draw. Everything else is the object's
 * own code: the alarm that freezes the list and draws.
 */
const realNow = Date.now.bind(Date);
let clockOffsetMs = 0;
Date.now = () => realNow() + clockOffsetMs;

interface BenchEnv {
	SALE_GATE: DurableObjectNamespace<DrawBenchGate>;
}

export class DrawBenchGate extends SaleGate {
	/** Enters buyers `prefix + from … prefix + from + count − 1`, alternating sizes, each its own transaction. */
	enterMany(prefix: string, from: number, count: number, sizes: string[]): BatchTiming {
		return timeInGroups(count, (i) => {
			const n = from + i;
			const result = this.enter(`${prefix}${n}`, 1, sizes[n % sizes.length]);
			return result.ok && result.created;
		});
	}

	/** Moves this isolate's clock to just past the sale's end, then reads the draw view, which freezes the list. */
	endAndFreeze(): { freezeMs: number; entrants: number | undefined } {
		const sale = this.view();
		if (!sale) throw new Error("no sale");
		clockOffsetMs = Math.max(clockOffsetMs, sale.endsAt - realNow() + 1);
		const started = performance.now();
		const answer = this.drawView();
		const freezeMs = performance.now() - started;
		return { freezeMs, entrants: answer.ok ? answer.draw.entrants : undefined };
	}

	/** Runs the object's alarm, which draws (local beacon: at once), and times it. */
	async drawNow(): Promise<{ drawMs: number; status: string; winners: number }> {
		const started = performance.now();
		await this.alarm();
		const drawMs = performance.now() - started;
		const answer = this.drawView();
		if (!answer.ok) throw new Error(answer.reason);
		return { drawMs, status: answer.draw.status, winners: answer.draw.winners?.length ?? 0 };
	}

	storageBytes(): number {
		return this.ctx.storage.sql.databaseSize;
	}

	/** A yardstick in the same isolate: SHA-256 of 64 MiB with the library the draw uses (ms). */
	reference(): number {
		const data = new Uint8Array(64 * 1024 * 1024).fill(7);
		const started = performance.now();
		sha256(data);
		return performance.now() - started;
	}
}

export default {
	async fetch(request, env) {
		const url = new URL(request.url);
		const gate = env.SALE_GATE.getByName(url.searchParams.get("sale") ?? "draw");
		const number = (name: string) => Number(url.searchParams.get(name) ?? 0);
		switch (url.pathname) {
			case "/bench-draw/configure": {
				const input = (await request.json()) as SaleInput;
				return Response.json(await gate.configure(url.searchParams.get("sale") ?? "draw", input, "local"));
			}
			case "/bench-draw/enter-many": {
				const sizes = (url.searchParams.get("sizes") ?? "default").split(",");
				return Response.json(
					await gate.enterMany(url.searchParams.get("prefix") ?? "e", number("from"), number("count"), sizes),
				);
			}
			case "/bench-draw/freeze":
				return Response.json(await gate.endAndFreeze());
			case "/bench-draw/draw":
				return Response.json(await gate.drawNow());
			case "/bench-draw/stats":
				return Response.json({ storageBytes: await gate.storageBytes(), draw: await gate.drawView() });
			case "/bench-draw/reference":
				return Response.json({ ms: await gate.reference() });
			default:
				return Response.json({ error: "no such bench path" }, { status: 404 });
		}
	},
	queue(batch) {
		batch.ackAll();
	},
} satisfies ExportedHandler<BenchEnv>;
