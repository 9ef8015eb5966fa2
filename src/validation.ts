import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type { z } from "zod";
import { ApiError } from "./http-error";

/**
 * zValidator that fails with the contract's `400 invalid_request`, naming
 * the first field that is wrong.
 */
export function validate<Target extends keyof ValidationTargets, Schema extends z.ZodType>(
	target: Target,
	schema: Schema,
) {
	return zValidator(target, schema, (result, c) => {
		if (target === "json" && !isJson(c.req.header("content-type"))) {
			throw new ApiError("unsupported_media_type", "Send the body as application/json.");
		}
		if (!result.success) {
			const issue = result.error.issues[0];
			const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
			throw new ApiError("invalid_request", `${where}${issue?.message ?? "invalid request"}`);
		}
	});
}

function isJson(contentType: string | undefined): boolean {
	return /^application\/json\s*(;|$)/i.test(contentType ?? "");
}
