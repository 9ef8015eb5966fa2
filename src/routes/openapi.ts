import { Hono } from "hono";
import { openApiDocument } from "../openapi/document";

/** `GET /api/openapi.json`: the API described for client generators (src/openapi/operations.ts). */
export const openApiRoutes = new Hono<{ Bindings: Env }>().get("/openapi.json", (c) =>
	c.json(openApiDocument()),
);
