import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { timingSafeEqual } from "hono/utils/buffer";
import { ApiError } from "../http-error";
import { accessIdentity } from "./cloudflare-access";

/** Who signed on to the admin routes: the Access identity, or "admin-token". */
export type AdminVariables = { admin: { name: string; via: "token" | "access" } };
type SignedOn = { Bindings: Env; Variables: AdminVariables };

/** Requests that change something: each is logged with who made it. */
const CHANGES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Admin routes need `Authorization: Bearer <ADMIN_TOKEN>` (scripts, the
 * metrics scrape) or, when ACCESS_TEAM_DOMAIN and ACCESS_AUD are set, a
 * valid Cloudflare Access token (people, through the console). The token
 * comparison takes the same time whatever the guess, and every failure gets
 * the same answer, so nothing leaks about why. Every change is logged as one
 * JSON line naming the admin: the Access email, or "admin-token".
 */
export const requireAdmin = createMiddleware<SignedOn>(async (c, next) => {
	const admin = await signedOnAdmin(c);
	if (!admin) throw new ApiError("unauthenticated");
	c.set("admin", admin);
	await next();
	if (CHANGES.has(c.req.method)) {
		console.log(
			JSON.stringify({
				event: "admin_change",
				admin: admin.name,
				via: admin.via,
				method: c.req.method,
				path: c.req.path,
				status: c.res.status,
			}),
		);
	}
});

async function signedOnAdmin<E extends { Bindings: Env }>(
	c: Context<E>,
): Promise<AdminVariables["admin"] | null> {
	if (await isAdminToken(c)) return { name: "admin-token", via: "token" };
	const name = await accessIdentity(c);
	return name ? { name, via: "access" } : null;
}

async function isAdminToken<E extends { Bindings: Env }>(c: Context<E>): Promise<boolean> {
	const presented = c.req.header("authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1] ?? "";
	const expected = c.env.ADMIN_TOKEN;
	return Boolean(expected) && (await timingSafeEqual(presented, expected));
}
