// `npm start`: everything a developer needs on a fresh clone, offline.
// Creates local secrets if absent, applies D1 migrations to the local
// database, starts `wrangler dev` (Worker, Durable Objects, queue, D1 and
// static assets, all in local workerd), seeds a demo sale that opens a minute
// later and prints its URL.
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

/** Seeds `demo-drop`; if an earlier run's demo already started, seeds a new id. */
async function seedDemoSale(adminToken) {
	const now = Date.now();
	const sale = {
		name: "Doorbuster Demo Sneaker",
		description: "A limited run of 100 pairs. One per shopper.",
		priceCents: 12_900,
		currency: "USD",
		totalStock: 100,
		startsAt: now + 60_000,
		endsAt: now + 60 * 60_000,
		maxPerUser: 1,
	};
	for (const saleId of ["demo-drop", `demo-drop-${now.toString(36)}`]) {
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
const saleId = await seedDemoSale(readAdminToken());
console.log(`
  Doorbuster is running.
  Demo sale (opens in one minute): ${ORIGIN}/sales/${saleId}
  All sales:                       ${ORIGIN}/
  Admin console:                   ${ORIGIN}/admin/  (token: ADMIN_TOKEN in ${DEV_VARS})
`);
