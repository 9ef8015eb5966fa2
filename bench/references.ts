import type { HttpClient } from "./http-client.ts";
import { outcomeOf } from "./http-client.ts";
import { clientAddress, sessionToken } from "./identity.ts";
import type { Ledger } from "./ledger.ts";
import { lanes, type Meter } from "./rush.ts";
import type { Samples } from "./samples.ts";

export type ReferenceRoute = "ref-bare" | "ref-do" | "ref-do-limit" | "ref-limit" | "ref-assets-bare";

const PATHS: Record<ReferenceRoute, string> = {
	"ref-bare": "/ref/bare",
	"ref-do": "/ref/do",
	"ref-do-limit": "/ref/do-limit",
	"ref-limit": "/ref/limit",
	"ref-assets-bare": "/ref-assets/bare",
};

/**
 * Loads one reference route the way the rush loads Doorbuster: the same
 * client, the same concurrency, and requests of the same shape and size as
 * a purchase (session header, address header, JSON body), so that only what
 * happens inside the Worker differs. Sent in pieces of `chunk` requests,
 * as the steady purchases are, so both ramp up and drain the same way.
 */
export async function loadReference(
	client: HttpClient,
	samples: Samples,
	ledger: Ledger,
	route: ReferenceRoute,
	load: { requests: number; concurrency: number; chunk: number; sessionSecret: string; meter?: Meter },
): Promise<void> {
	const path = PATHS[route];
	const meter = load.meter ?? ((run) => run());
	for (let first = 0; first < load.requests; first += load.chunk) {
		await meter(() =>
			lanes(Math.min(load.chunk, load.requests - first), load.concurrency, (k) => send(first + k)),
		);
	}
	async function send(i: number): Promise<void> {
		const headers = {
			authorization: `Bearer ${sessionToken(`ref-${i}`, load.sessionSecret)}`,
			"cf-connecting-ip": clientAddress(12, i),
		};
		const { answer, start, end } = await client.send("POST", path, headers, {
			purchaseToken: "r".repeat(120),
			quantity: 1,
		});
		samples.add(route, outcomeOf(answer), start, end);
		if (answer.status !== 200) ledger.fail(`reference ${path} answered ${outcomeOf(answer)}`);
	}
}
