import { createMiddleware } from "hono/factory";
import { timingSafeEqual } from "hono/utils/buffer";
import { ApiError } from "../http-error";

/**
 * Admin routes need `Authorization: Bearer <ADMIN_TOKEN>`. The comparison
 * takes the same time whatever the guess, and every failure gets the same
 * answer, so nothing leaks about why.
 */
export const requireAdmin = createMiddleware<{ Bindings: Env }>(async (c, next) => {
	const presented = c.req.header("authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1] ?? "";
	const expected = c.env.ADMIN_TOKEN;
	if (!expected || !(await timingSafeEqual(presented, expected))) {
		throw new ApiError("unauthenticated");
	}
	await next();
});
