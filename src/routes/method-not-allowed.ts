import type { Hono, Env as HonoEnv } from "hono";
import { ApiError } from "../http-error";

function methodNotAllowed(): never {
	throw new ApiError("method_not_allowed");
}

/**
 * Answers `405 method_not_allowed` on every path the app has a route for,
 * for any method it has no handler for, read from the app's own routes so
 * the list can never fall behind them. Call once every route is in place:
 * handlers run in the order they were added, so the real methods still win.
 */
export function refuseOtherMethods<E extends HonoEnv>(app: Hono<E>): Hono<E> {
	const paths = new Set(app.routes.filter((route) => route.method !== "ALL").map((route) => route.path));
	for (const path of paths) app.all(path, methodNotAllowed);
	return app;
}
