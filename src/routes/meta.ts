import { Hono } from "hono";

/** What the countdown page needs before anything else: the clock and the widget key. */
export const metaRoutes = new Hono<{ Bindings: Env }>()
	.get("/time", (c) => c.json({ serverTime: Date.now() }))
	.get("/config", (c) =>
		c.json({ turnstileSiteKey: c.env.TURNSTILE_SITE_KEY, turnstileAction: c.env.TURNSTILE_ACTION }),
	);
