import { Hono } from "hono";
import { startGuestSession } from "../auth/session";
import { clientIp, rateLimit } from "../rate-limit";
import { assertHuman, turnstileBody } from "../turnstile";
import { validate } from "../validation";

/** `POST /api/session`: guest sign-in behind the bot check. */
export const sessionRoutes = new Hono<{ Bindings: Env }>().post(
	"/",
	rateLimit("SESSION_RATE_LIMITER", clientIp),
	validate("json", turnstileBody),
	async (c) => {
		await assertHuman(c, c.req.valid("json").turnstileToken);
		return c.json(await startGuestSession(c));
	},
);
