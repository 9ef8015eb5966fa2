import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import type { OrderQueueBody } from "./domain/order";
import { ApiError, errorResponse, invalidRequest } from "./http-error";
import { consumeOrders } from "./order-book/consumer";
import { adminRoutes } from "./routes/admin";
import { metaRoutes } from "./routes/meta";
import { refuseOtherMethods } from "./routes/method-not-allowed";
import { openApiRoutes } from "./routes/openapi";
import { salesRoutes } from "./routes/sales";
import { sessionRoutes } from "./routes/session";
import { webhookRoutes } from "./routes/webhooks";

export { PurchaseRelay } from "./relay/purchase-relay";
export { SaleGate } from "./sale-object";

const MAX_BODY_BYTES = 16 * 1024;

const app = new Hono<{ Bindings: Env }>()
	.use(
		secureHeaders({
			// API answers are JSON: nothing may load them as a page or frame them.
			contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
			strictTransportSecurity: "max-age=63072000; includeSubDomains",
			xFrameOptions: "DENY",
			// Headers that only ever meant something to HTML pages in old
			// browsers or plug-ins (IE8 downloads, Flash policies, the retired
			// XSS auditor, DNS prefetch, agent clusters) are not sent with JSON:
			// every answer in a rush carries them, and the client parses them.
			originAgentCluster: false,
			xDnsPrefetchControl: false,
			xDownloadOptions: false,
			xPermittedCrossDomainPolicies: false,
			xXssProtection: false,
		}),
	)
	.use("/api/*", (c, next) => {
		const allowed = c.env.CORS_ORIGINS.split(",")
			.map((origin) => origin.trim())
			.filter(Boolean);
		if (allowed.length === 0) return next();
		return cors({ origin: allowed, credentials: true, maxAge: 600 })(c, next);
	})
	.use(
		bodyLimit({
			maxSize: MAX_BODY_BYTES,
			onError: () => {
				throw new ApiError("payload_too_large");
			},
		}),
	)
	.route("/api", metaRoutes)
	.route("/api", openApiRoutes)
	.route("/api/session", sessionRoutes)
	.route("/api/sales", salesRoutes)
	.route("/admin", adminRoutes)
	.route("/webhooks", webhookRoutes);

refuseOtherMethods(app)
	.notFound((c) => errorResponse(c, new ApiError("not_found")))
	.onError((error, c) => errorResponse(c, toApiError(error)));

/** Maps anything thrown during a request to a contract error; never leaks a stack. */
function toApiError(error: Error): ApiError {
	if (error instanceof ApiError) return error;
	if (error instanceof HTTPException && error.status === 400) {
		// Hono's JSON validator throws this for a body that does not parse.
		return invalidRequest("The body is not valid JSON.");
	}
	console.error(JSON.stringify({ event: "unhandled_error", error: String(error), stack: error.stack }));
	return new ApiError("internal_error");
}

export default {
	fetch: app.fetch,
	queue: consumeOrders,
} satisfies ExportedHandler<Env, OrderQueueBody>;

/** The app itself, for tests that read its route table (every route is in the OpenAPI document). */
export { app };
