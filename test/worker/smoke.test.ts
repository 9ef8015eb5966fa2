import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";

it("tells the time", async () => {
	const res = await exports.default.fetch("http://x/api/time");
	expect(res.status).toBe(200);
	const body = await res.json<{ serverTime: number }>();
	expect(Math.abs(body.serverTime - Date.now())).toBeLessThan(5000);
});
