// `npm start`: everything a developer needs on a fresh clone, offline.
// Creates local secrets if absent, applies D1 migrations to the local
// database, starts `wrangler dev` (Worker, Durable Objects, queue, D1 and
// static assets, all in local workerd), seeds two demo sales that open a
// minute later (one with sizes and a two-minute hold paid through the offline
// test provider, one plain v1 sale) and a demo draw that closes five minutes
// after start and is drawn at once with the offline beacon, and prints their URLs.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const PORT = Number(process.env.PORT ?? 8787);
const ORIGIN = `http://localhost:${PORT}`;
const DEV_VARS = ".dev.vars";

/**
 * Local secrets and the offline providers, in the git-ignored .dev.vars.
 * A file from an earlier run keeps its values and gains what it lacks.
 */
function ensureLocalSecrets() {
	const wanted = {
		SESSION_SECRET: randomBytes(32).toString("hex"),
		ADMIN_TOKEN: randomBytes(24).toString("hex"),
		// Cloudflare's documented always-pass test secret: the bot check works offline.
		TURNSTILE_SECRET_KEY: "1x0000000000000000000000000000000AA",
		// The offline payment provider (a Pay / Decline page), for sales with holds.
		// It only counts with ALLOW_TEST_PROVIDERS, which never goes in wrangler.jsonc.
		PAYMENT_PROVIDER: "test",
		ALLOW_TEST_PROVIDERS: "1",
		// The offline draw beacon (a local secret, not drand), likewise only with ALLOW_TEST_PROVIDERS.
		DRAW_BEACON: "local",
	};
	const existing = existsSync(DEV_VARS) ? readFileSync(DEV_VARS, "utf8") : "";
	const present = new Set(existing.split("\n").map((line) => line.split("=")[0]));
	const missing = Object.entries(wanted).filter(([name]) => !present.has(name));
	if (missing.length === 0) return;
	const lines = missing.map(([name, value]) => `${name}=${value}`);
	const prefix = existing === "" || existing.endsWith("\n") ? existing : `${existing}\n`;
	writeFileSync(DEV_VARS, `${prefix}${lines.join("\n")}\n`, { mode: 0o600 });
	console.log(`Wrote ${missing.map(([name]) => name).join(", ")} to ${DEV_VARS} (git-ignored).`);
}

function readAdminToken() {
	const line = readFileSync(DEV_VARS, "utf8")
		.split("\n")
		.find((entry) => entry.startsWith("ADMIN_TOKEN="));
	return line?.slice("ADMIN_TOKEN=".length).trim();
}

function run(command, args) {
	const result = spawnSync(command, args, { stdio: "inherit" });
	if (result.status !== 0) process.exit(result.status ?? 1);
}

async function waitForWorker(deadline) {
	while (Date.now() < deadline) {
		try {
			if ((await fetch(`${ORIGIN}/api/time`)).ok) return;
		} catch {
			// Not listening yet.
		}
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	throw new Error(`The Worker did not answer on ${ORIGIN} in time.`);
}

/**
 * The main demo: sizes, and a two-minute hold paid on the test provider's
 * Pay / Decline page; when it sells out while units are held, a second
 * browser can join the waitlist and receive a hold that runs out.
 */
function sizedDemo(now) {
	return {
		name: "Doorbuster Demo Sneaker",
		description:
			"A limited run in four sizes. One pair per shopper; pay within two minutes or it goes to the next in line.",
		priceCents: 12_900,
		currency: "USD",
		variants: [
			{ id: "us-8", name: "US 8", totalStock: 3 },
			{ id: "us-9", name: "US 9", totalStock: 5 },
			{ id: "us-10", name: "US 10", totalStock: 5 },
			{ id: "us-11", name: "US 11", totalStock: 2 },
		],
		holdSeconds: 120,
		startsAt: now + 60_000,
		endsAt: now + 60 * 60_000,
		maxPerUser: 1,
	};
}

/** The v1 demo: no sizes, no payment, an order is final the moment it is taken. */
function plainDemo(now) {
	return {
		name: "Doorbuster Demo Cap",
		description: "A limited run of 100 caps. One per shopper, no payment step.",
		priceCents: 2_900,
		currency: "USD",
		totalStock: 100,
		startsAt: now + 60_000,
		endsAt: now + 60 * 60_000,
		maxPerUser: 1,
	};
}

/** How long the demo draw takes entries: the draw happens this long after `npm start`. */
const DRAW_WINDOW_MS = 5 * 60_000;

/**
 * The draw demo: entries open at once and close after a few minutes; then
 * the offline beacon (DRAW_BEACON=local) draws at once and the page shows
 * "You won" or "Not this time". Two sizes of one pair each, so two browsers
 * entering the same size show both outcomes.
 */
function drawDemo(now) {
	return {
		name: "Doorbuster Demo Draw",
		description:
			"A raffle for two pairs, one in each size. Enter before the close; the winners are drawn by a random number anyone can check, and have two minutes to pay.",
		priceCents: 19_900,
		currency: "USD",
		variants: [
			{ id: "us-9", name: "US 9", totalStock: 1 },
			{ id: "us-10", name: "US 10", totalStock: 1 },
		],
		holdSeconds: 120,
		mode: "draw",
		startsAt: now + 5_000,
		endsAt: now + DRAW_WINDOW_MS,
		maxPerUser: 1,
	};
}

/** Seeds a demo sale under `baseId`; if an earlier run's demo already started, under a new id. */
async function seedDemoSale(adminToken, baseId, sale) {
	const now = Date.now();
	for (const saleId of [baseId, `${baseId}-${now.toString(36)}`]) {
		const response = await fetch(`${ORIGIN}/admin/sales/${saleId}`, {
			method: "PUT",
			headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
			body: JSON.stringify(sale),
		});
		if (response.ok) return saleId;
		if (response.status !== 409)
			throw new Error(`Seeding failed: ${response.status} ${await response.text()}`);
	}
	throw new Error("Seeding failed: no free demo sale id.");
}

ensureLocalSecrets();
run("wrangler", ["d1", "migrations", "apply", "DB", "--local"]);
const dev = spawn("wrangler", ["dev", "--port", String(PORT), "--ip", "127.0.0.1"], { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));

await waitForWorker(Date.now() + 60_000);
const adminToken = readAdminToken();
const now = Date.now();
const sizedId = await seedDemoSale(adminToken, "demo-sizes", sizedDemo(now));
const plainId = await seedDemoSale(adminToken, "demo-drop", plainDemo(now));
const drawId = await seedDemoSale(adminToken, "demo-draw", drawDemo(now));
const drawAt = new Date(now + DRAW_WINDOW_MS).toISOString().slice(11, 16);
console.log(`
  Doorbuster is running.
  Demo sale with sizes and a 2-minute hold (opens in one minute):
                                   ${ORIGIN}/sales/${sizedId}
    Pay on the test payment page; open a second browser (or a private window)
    to join the waitlist once it sells out while pairs are held.
  Demo sale without sizes or payment: ${ORIGIN}/sales/${plainId}
  Demo draw (entries close and the draw happens at ${drawAt} UTC, five minutes from now):
                                   ${ORIGIN}/sales/${drawId}
    Enter from two browsers for the same size: one sees "You won", the other
    "Not this time". Check it: npx doorbuster-verify ${ORIGIN} ${drawId} --allow-local
  All sales:                       ${ORIGIN}/
  Admin console:                   ${ORIGIN}/admin/  (token: ADMIN_TOKEN in ${DEV_VARS})
`);
