import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionToken } from "../../bench/identity.ts";
import { bundle, SECRETS } from "../../bench/runtime.ts";
import { entryCommitment } from "../../src/draw/draw-v1.ts";
import { QUICKNET } from "../../src/draw/quicknet.ts";
import {
	createSale,
	enterAs,
	type LocalWorker,
	request,
	serve,
	startWorker,
	tamperingProxy,
	verifyCommand,
} from "./local-worker.ts";
import { ROUND_20791007 } from "./quicknet-rounds.ts";

// `doorbuster-verify` run as a command against the real Worker in local
// workerd: once on a draw with entrants (the offline local beacon, which the
// alarm draws at endsAt), once on a quicknet draw whose round the Worker
// read from a relay in this test serving the recorded round 20791007.
// Tampering is served by a proxy in front of the Worker.

const ROOT = path.resolve(import.meta.dirname, "../..");
const SIZES = [
	{ id: "us-9", name: "US 9", totalStock: 4 },
	{ id: "us-10", name: "US 10", totalStock: 2 },
];
const ENTRANTS = 24;

let dir: string;
let bundleDir: string;

beforeAll(async () => {
	dir = await mkdtemp(path.join(os.tmpdir(), "doorbuster-verify-"));
	bundleDir = await bundle(path.join(ROOT, "wrangler.jsonc"), path.join(dir, "bundle"));
}, 120_000);

afterAll(async () => {
	await rm(dir, { recursive: true, force: true });
});

interface Draw {
	status: string;
	winners?: string[];
	signature?: string;
	randomness?: string;
	entrants?: number;
}

/** Reads the draw until it is drawn; the Worker's own alarm draws it, in real time. */
async function drawn(origin: string, saleId: string): Promise<Draw> {
	const deadline = Date.now() + 30_000;
	for (;;) {
		const { draw } = (await (await request(origin, "GET", `/api/sales/${saleId}/draw`)).json()) as {
			draw: Draw;
		};
		if (draw.status === "drawn") return draw;
		if (Date.now() > deadline) throw new Error(`the draw is still ${draw.status}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

describe("doorbuster-verify on a draw with entrants (local beacon)", () => {
	let worker: LocalWorker;
	const saleId = `verify-local-${Date.now().toString(36)}`;
	let draw: Draw;

	beforeAll(async () => {
		worker = await startWorker(bundleDir, path.join(dir, "local"), {
			DRAW_BEACON: "local",
			ALLOW_TEST_PROVIDERS: "1",
		});
		const endsAt = Date.now() + 6_000;
		await createSale(worker.origin, saleId, {
			name: "Verified drop",
			priceCents: 100,
			currency: "USD",
			startsAt: Date.now() - 1_000,
			endsAt,
			mode: "draw",
			variants: SIZES,
		});
		const statuses = await Promise.all(
			Array.from({ length: ENTRANTS }, (_, i) =>
				enterAs(worker.origin, saleId, i, i % 3 === 0 ? "us-10" : "us-9"),
			),
		);
		expect(statuses).toEqual(Array(ENTRANTS).fill(201));
		draw = await drawn(worker.origin, saleId);
		expect(draw.entrants).toBe(ENTRANTS);
	}, 120_000);

	afterAll(async () => {
		await worker?.close();
	});

	it("exits 0 when everything matches, and checks a buyer's own entry with --entry and --user", async () => {
		const plain = await verifyCommand([worker.origin, saleId, "--allow-local"]);
		expect(plain.stdout).toContain("The draw verifies.");
		expect(plain.code).toBe(0);

		const token = sessionToken("verify-entrant-0", SECRETS.SESSION_SECRET);
		const { entry } = (await (
			await request(worker.origin, "GET", `/api/sales/${saleId}/entry`, { token })
		).json()) as {
			entry: { nonce: string; commitment: string };
		};
		expect(entry.commitment).toBe(entryCommitment(saleId, "verify-entrant-0", entry.nonce));
		const own = await verifyCommand([
			worker.origin,
			saleId,
			"--allow-local",
			"--entry",
			entry.nonce,
			"--user",
			"verify-entrant-0",
		]);
		expect(own.code).toBe(0);
		expect(own.stdout).toMatch(/ok\s+your entry: [0-9a-f]{64} is in the list/);
		const stranger = await verifyCommand([
			worker.origin,
			saleId,
			"--allow-local",
			"--entry",
			entry.nonce,
			"--user",
			"someone-else",
		]);
		expect(stranger.code).toBe(1);
		expect(stranger.stdout).toContain("is NOT in the list");
	}, 60_000);

	it("refuses the local beacon unless told --allow-local", async () => {
		const result = await verifyCommand([worker.origin, saleId]);
		expect(result.code).toBe(1);
		expect(result.stdout).toContain("local beacon refused");
	}, 60_000);

	it("exits non-zero on a tampered entrant list", async () => {
		const proxy = await tamperingProxy(worker.origin, (pathname, body) => {
			if (!pathname.endsWith("/draw/entrants")) return body;
			const page = body as { entrants: { quantity: number }[] };
			const first = page.entrants[0];
			if (first) first.quantity = 2;
			return page;
		});
		try {
			const result = await verifyCommand([proxy.origin, saleId, "--allow-local"]);
			expect(result.code).toBe(1);
			expect(result.stdout).toMatch(/FAIL\s+entrants root/);
		} finally {
			await proxy.close();
		}
	}, 60_000);

	it("exits non-zero on a swapped winner", async () => {
		const proxy = await tamperingProxy(worker.origin, (pathname, body) => {
			if (!pathname.endsWith("/draw")) return body;
			const { draw } = body as { draw: Draw };
			const winners = draw.winners ?? [];
			return { draw: { ...draw, winners: [winners[1], winners[0], ...winners.slice(2)] } };
		});
		try {
			expect((draw.winners ?? []).length).toBeGreaterThan(1);
			const result = await verifyCommand([proxy.origin, saleId, "--allow-local"]);
			expect(result.code).toBe(1);
			expect(result.stdout).toMatch(/FAIL\s+winners/);
		} finally {
			await proxy.close();
		}
	}, 60_000);

	it("exits non-zero on a forged reveal of the local secret", async () => {
		const proxy = await tamperingProxy(worker.origin, (pathname, body) => {
			if (!pathname.endsWith("/draw")) return body;
			const { draw } = body as { draw: Draw };
			return { draw: { ...draw, signature: "ab".repeat(32) } };
		});
		try {
			const result = await verifyCommand([proxy.origin, saleId, "--allow-local"]);
			expect(result.code).toBe(1);
			expect(result.stdout).toMatch(/FAIL\s+beacon/);
		} finally {
			await proxy.close();
		}
	}, 60_000);
});

describe("doorbuster-verify on a drand quicknet draw", () => {
	let worker: LocalWorker;
	let relay: { origin: string; close(): Promise<void> };
	const requested: string[] = [];
	const saleId = `verify-quicknet-${Date.now().toString(36)}`;
	const round = ROUND_20791007;
	// The sale ended 30 s before round 20791007 (August 2025), so that round is its beacon.
	const endsAt = (QUICKNET.genesisTime + (round.round - 1) * QUICKNET.periodSeconds) * 1000 - 30_000;

	beforeAll(async () => {
		relay = await serve(async (req, res) => {
			requested.push(req.url ?? "");
			const served = req.url === `/${QUICKNET.chainHash}/public/${round.round}`;
			res.writeHead(served ? 200 : 404, { "content-type": "application/json" });
			res.end(served ? JSON.stringify(round) : "{}");
		});
		worker = await startWorker(bundleDir, path.join(dir, "quicknet"), { DRAND_URL: relay.origin });
		await createSale(worker.origin, saleId, {
			name: "Quicknet drop",
			priceCents: 100,
			currency: "USD",
			startsAt: endsAt - 60_000,
			endsAt,
			mode: "draw",
			variants: SIZES,
		});
		const draw = await drawn(worker.origin, saleId);
		expect(draw.randomness).toBe(round.randomness);
		expect(requested).toContain(`/${QUICKNET.chainHash}/public/${round.round}`);
	}, 120_000);

	afterAll(async () => {
		await worker?.close();
		await relay?.close();
	});

	it("exits 0: the round is the one endsAt names and verifies against the pinned key", async () => {
		const result = await verifyCommand([worker.origin, saleId]);
		expect(result.stdout).toMatch(/ok\s+beacon: quicknet round 20791007 verifies/);
		expect(result.code).toBe(0);
	}, 60_000);

	it("exits non-zero on a forged round, even with its randomness recomputed from the forged signature", async () => {
		const signature = `${round.signature.slice(0, 40)}${round.signature[40] === "0" ? "1" : "0"}${round.signature.slice(41)}`;
		const randomness = createHash("sha256").update(Buffer.from(signature, "hex")).digest("hex");
		const proxy = await tamperingProxy(worker.origin, (pathname, body) => {
			if (!pathname.endsWith("/draw")) return body;
			const { draw } = body as { draw: Draw };
			return { draw: { ...draw, signature, randomness } };
		});
		try {
			const result = await verifyCommand([proxy.origin, saleId]);
			expect(result.code).toBe(1);
			expect(result.stdout).toMatch(/FAIL\s+beacon/);
		} finally {
			await proxy.close();
		}
	}, 60_000);
});
