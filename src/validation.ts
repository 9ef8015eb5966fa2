import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import { createMiddleware } from "hono/factory";
import type { z } from "zod";
import { saleIdSchema } from "./domain/sale";
import { ApiError, invalidRequest } from "./http-error";

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
			throw new ApiError("unsupported_media_type");
		}
		if (!result.success) {
			const issue = result.error.issues[0];
			const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
			throw invalidRequest(`${where}${issue?.message ?? "invalid request"}`);
		}
	});
}

function isJson(contentType: string | undefined): boolean {
	return /^application\/json\s*(;|$)/i.test(contentType ?? "");
}

/** Refuses a path whose `:saleId` is not a slug, with the error its route family documents. */
export function requireSaleIdParam(refusal: () => ApiError) {
	return createMiddleware(async (c, next) => {
		if (!saleIdSchema.safeParse(c.req.param("saleId")).success) throw refusal();
		await next();
	});
}
