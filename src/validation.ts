import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import { createMiddleware } from "hono/factory";
import type * as z from "zod";
import { saleIdSchema } from "./domain/sale";
import { SaleClient } from "./edge/sale-client";
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

/**
 * Names the sale of a `/:saleId` path: refuses an id that is not a slug,
 * with the error its route family documents, else hands the rest of the
 * request the sale's client as `c.var.sale`.
 */
export function saleFromPath(refusal: () => ApiError) {
	return createMiddleware<{ Bindings: Env; Variables: { sale: SaleClient } }>(async (c, next) => {
		const saleId = c.req.param("saleId");
		if (!saleIdSchema.safeParse(saleId).success) throw refusal();
		c.set("sale", new SaleClient(c.env, saleId ?? "", (work) => c.executionCtx.waitUntil(work)));
		await next();
	});
}
