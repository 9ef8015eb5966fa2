import type { Context } from "hono";
import { ApiError } from "../http-error";

/** Registered after a path's real methods: the path exists, this method does not. */
export function methodNotAllowed(c: Context): never {
	throw new ApiError("method_not_allowed", `${c.req.method} is not allowed on this path.`);
}
