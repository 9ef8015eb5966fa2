import * as z from "zod";
import { ERROR_CODES, type ErrorCode, errorStatus } from "../http-error";
import { errorAnswer, SHARED_ANSWERS } from "./answers";
import { type Caller, OPERATIONS, type Operation } from "./operations";

type JsonSchema = Record<string, unknown>;

/** The parts of an OpenAPI 3.1 document this API uses. */
export interface OpenApiDocument {
	openapi: "3.1.0";
	info: { title: string; version: string; description: string };
	paths: Record<string, Record<string, OperationObject>>;
	components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, JsonSchema> };
}

export interface OperationObject {
	operationId: string;
	summary: string;
	tags: string[];
	security?: Record<string, string[]>[];
	parameters?: JsonSchema[];
	requestBody?: JsonSchema;
	responses: Record<string, { description: string; headers?: JsonSchema; content?: JsonSchema }>;
}

const SECURITY: Record<Caller, Record<string, string[]>[] | undefined> = {
	anyone: undefined,
	buyer: [{ sessionBearer: [] }, { sessionCookie: [] }],
	admin: [{ adminToken: [] }, { accessHeader: [] }, { accessCookie: [] }],
	stripe: [{ stripeSignature: [] }],
};

const TAGS: Record<Caller, string> = {
	anyone: "buying",
	buyer: "buying",
	admin: "admin",
	stripe: "payments",
};

const SECURITY_SCHEMES = {
	sessionBearer: {
		type: "http",
		scheme: "bearer",
		bearerFormat: "JWT",
		description: "Session JWT: HS256 with SESSION_SECRET, or RS256/ES256 from the shop's identity provider",
	},
	sessionCookie: { type: "apiKey", in: "cookie", name: "session", description: "The guest sign-in's cookie" },
	adminToken: { type: "http", scheme: "bearer", description: "The ADMIN_TOKEN secret" },
	accessHeader: {
		type: "apiKey",
		in: "header",
		name: "Cf-Access-Jwt-Assertion",
		description: "Cloudflare Access token, when ACCESS_TEAM_DOMAIN and ACCESS_AUD are set",
	},
	accessCookie: {
		type: "apiKey",
		in: "cookie",
		name: "CF_Authorization",
		description: "Cloudflare Access cookie, when ACCESS_TEAM_DOMAIN and ACCESS_AUD are set",
	},
	stripeSignature: {
		type: "apiKey",
		in: "header",
		name: "Stripe-Signature",
		description: "Stripe's signature of the raw body with STRIPE_WEBHOOK_SECRET, at most 300 s old",
	},
};

const RETRY_AFTER = {
	"Retry-After": { description: "Seconds to wait before trying again", schema: { type: "integer" } },
};

const schemaRef = (id: string) => `#/components/schemas/${id}`;

/**
 * Converts zod schemas to JSON Schema components: requests as they are
 * sent (defaults optional), answers as they come back. Shared answers keep
 * their names; every other schema is named after its operation.
 */
class Components {
	readonly #requests = z.registry<{ id: string }>();
	readonly #answers = z.registry<{ id: string }>();

	constructor() {
		for (const [schema, id] of SHARED_ANSWERS) this.#answers.add(schema, { id });
		this.#answers.add(errorAnswer(ERROR_CODES), { id: "Error" });
	}

	request(schema: z.ZodType, id: string): JsonSchema {
		if (!this.#requests.has(schema)) this.#requests.add(schema, { id });
		return { $ref: schemaRef(this.#requests.get(schema)?.id ?? id) };
	}

	answer(schema: z.ZodType, id: string): JsonSchema {
		if (!this.#answers.has(schema)) this.#answers.add(schema, { id });
		return { $ref: schemaRef(this.#answers.get(schema)?.id ?? id) };
	}

	toJsonSchemas(): Record<string, JsonSchema> {
		const convert = (registry: z.core.$ZodRegistry<{ id: string }>, io: "input" | "output") =>
			Object.entries(z.toJSONSchema(registry, { io, uri: schemaRef, override: tidy }).schemas).map(
				// Components live inside the document: no dialect or id of their own.
				([id, { $schema, $id, ...schema }]) => [id, schema] as const,
			);
		return Object.fromEntries([...convert(this.#requests, "input"), ...convert(this.#answers, "output")]);
	}
}

/**
 * Drops what zod states but the contract does not promise: the safe-integer
 * bounds of every `int()`, and the closedness of answers (the contract
 * grows by adding fields, so clients must accept fields they do not know).
 */
function tidy({ jsonSchema }: { jsonSchema: JsonSchema }): void {
	if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER && jsonSchema.maximum === Number.MAX_SAFE_INTEGER) {
		delete jsonSchema.minimum;
		delete jsonSchema.maximum;
	}
	if (jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
}

/** A query schema's fields as OpenAPI parameters. */
function queryParameters(query: z.ZodObject): JsonSchema[] {
	const { properties = {}, required = [] } = z.toJSONSchema(query, { io: "input", override: tidy }) as {
		properties?: Record<string, JsonSchema>;
		required?: string[];
	};
	return Object.entries(properties).map(([name, schema]) => ({
		name,
		in: "query",
		required: required.includes(name),
		schema,
	}));
}

/** The error answers of an operation, one per status, each naming the codes it can carry. */
function errorResponses(errors: readonly ErrorCode[]): OperationObject["responses"] {
	const byStatus = new Map<number, ErrorCode[]>();
	for (const code of new Set(errors)) {
		const status = errorStatus(code);
		byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
	}
	return Object.fromEntries(
		[...byStatus].map(([status, codes]) => [
			String(status),
			{
				description: codes.map((code) => `\`${code}\``).join(", "),
				...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
				content: {
					"application/json": {
						schema: {
							allOf: [{ $ref: schemaRef("Error") }],
							properties: { error: { properties: { code: { enum: codes } } } },
						},
					},
				},
			},
		]),
	);
}

function operationObject(operation: Operation, components: Components): OperationObject {
	const name = operation.id[0]?.toUpperCase() + operation.id.slice(1);
	const pathParameters = [...operation.path.matchAll(/\{(\w+)\}/g)].map(([, param]) => ({
		name: param,
		in: "path",
		required: true,
		schema: { type: "string", pattern: "^[a-z0-9][a-z0-9-]{0,62}$" },
	}));
	const parameters = [...pathParameters, ...(operation.query ? queryParameters(operation.query) : [])];
	const answers = Object.entries(operation.answers).map(([status, answer]) => {
		const content = answer.json
			? { "application/json": { schema: components.answer(answer.json, `${name}${status}`) } }
			: answer.mediaType
				? { [answer.mediaType]: { schema: { type: "string" } } }
				: undefined;
		return [status, { description: answer.description, ...(content ? { content } : {}) }] as const;
	});
	return {
		operationId: operation.id,
		summary: operation.summary,
		tags: [TAGS[operation.caller]],
		...(SECURITY[operation.caller] ? { security: SECURITY[operation.caller] } : {}),
		...(parameters.length ? { parameters } : {}),
		...(operation.body
			? {
					requestBody: {
						required: true,
						content: { "application/json": { schema: components.request(operation.body, `${name}Request`) } },
					},
				}
			: {}),
		responses: { ...Object.fromEntries(answers), ...errorResponses(operation.errors) },
	};
}

/** Builds the OpenAPI 3.1 document of every operation in OPERATIONS. */
function buildOpenApiDocument(): OpenApiDocument {
	const components = new Components();
	const paths: OpenApiDocument["paths"] = {};
	for (const operation of OPERATIONS) {
		paths[operation.path] = {
			...paths[operation.path],
			[operation.method]: operationObject(operation, components),
		};
	}
	return {
		openapi: "3.1.0",
		info: {
			title: "Doorbuster",
			version: "2",
			description:
				'Flash sales on Cloudflare Workers. Every error has one shape, `{"error": {"code", "message"}}`; ' +
				"an unknown path is `404 not_found`, a known path with another method `405 method_not_allowed`, " +
				"and any request body over 16 KiB `413 payload_too_large`. The contract in prose: docs/API.md.",
		},
		paths,
		components: { schemas: components.toJsonSchemas(), securitySchemes: SECURITY_SCHEMES },
	};
}

let built: OpenApiDocument | undefined;

/** The document, built once per isolate: it depends only on the code. */
export function openApiDocument(): OpenApiDocument {
	built ??= buildOpenApiDocument();
	return built;
}
