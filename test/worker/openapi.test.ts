import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import apiMarkdown from "../../docs/API.md?raw";
import type { SaleInput } from "../../src/domain/sale";
import { ERROR_CODES, type ErrorCode } from "../../src/http-error";
import { app } from "../../src/index";
import { admin, Buyer, createSale, type ErrorBody, saleInput, uniqueSaleId } from "./helpers";

interface ErrorSchema {
	properties: { error: { properties: { code: { enum: string[] } } } };
}
interface Document {
	openapi: string;
	paths: Record<
		string,
		Record<string, { responses: Record<string, { content?: Record<string, { schema: ErrorSchema }> }> }>
	>;
	components: { schemas: Record<string, unknown> };
}

/**
 * `METHOD /path` mentioned in backticks, the path up to any query string;
 * or abbreviated, `POST …/purchase`, where the sale's path is understood.
 */
const OPERATION = /`(GET|POST|PUT|PATCH|DELETE) (…?\/[^`?\s]*)[^`]*`/g;
/** A status in backticks: `200`, `409 sold_out`, `201 {"order": …}`. */
const STATUS = /`([1-5]\d\d)(?:`| ([a-z_]+)?)/g;

/** Path parameters are named differently in places (`{id}`, `{saleId}`): compare without names. */
const unnamed = (operation: string) => operation.replace(/\{[^}]+\}/g, "{}");
const pathOf = (operation: string) => operation.slice(operation.indexOf(" ") + 1);

/**
 * The operations of `listed` a mention names: the one it spells out, or for
 * an abbreviated `POST …/entry` each with that method whose path ends so.
 */
function resolve(mention: string, listed: Iterable<string>): string[] {
	const path = pathOf(mention);
	if (!path.startsWith("…")) return [mention];
	const method = mention.slice(0, mention.indexOf(" "));
	const tail = unnamed(path.slice(1));
	return [...listed].filter(
		(operation) => operation.startsWith(`${method} `) && unnamed(pathOf(operation)).endsWith(tail),
	);
}

/** Statuses the table's preamble promises on every path: another method is `405`. */
const ON_EVERY_PATH = new Set(["405"]);

async function openApiDocument(): Promise<Document> {
	const res = await exports.default.fetch("http://x/api/openapi.json");
	expect(res.status).toBe(200);
	expect(res.headers.get("content-type")).toMatch(/^application\/json/);
	return res.json();
}

/** Each operation of the document with its answers: `201`, and `409 sold_out` for each error code. */
function answersInDocument(doc: Document): Map<string, Set<string>> {
	const operations = new Map<string, Set<string>>();
	for (const [path, methods] of Object.entries(doc.paths)) {
		for (const [method, operation] of Object.entries(methods)) {
			const answers = Object.entries(operation.responses).flatMap(([status, response]) => {
				const codes = response.content?.["application/json"]?.schema.properties?.error.properties.code.enum;
				return codes ? codes.map((code) => `${status} ${code}`) : [status];
			});
			operations.set(`${method.toUpperCase()} ${path}`, new Set(answers));
		}
	}
	return operations;
}

/** The rows of docs/API.md's "Operations and their answers" table. */
function answersInTable(markdown: string): Map<string, Set<string>> {
	const section = markdown.split(/^### Operations and their answers$/m)[1]?.split(/^#/m)[0] ?? "";
	const rows = new Map<string, Set<string>>();
	for (const line of section.split("\n").filter((row) => row.startsWith("| `"))) {
		const [operation, ...answers] = line.match(/`[^`]+`/g) ?? [];
		if (operation) rows.set(operation.slice(1, -1), new Set(answers.map((answer) => answer.slice(1, -1))));
	}
	return rows;
}

/**
 * The prose of docs/API.md cut into blocks (a paragraph or a list item),
 * each with the operations it is about: those it names, or else those its
 * heading names; and the statuses it states.
 */
function proseBlocks(markdown: string): { operations: string[]; statuses: [string, string | undefined][] }[] {
	const blocks: { operations: string[]; statuses: [string, string | undefined][] }[] = [];
	let headingOperations: string[] = [];
	let block: string[] = [];
	const close = () => {
		const text = block.join(" ");
		block = [];
		const named = [...text.matchAll(OPERATION)].map(([, method, path]) => `${method} ${path}`);
		const statuses = [...text.matchAll(STATUS)].map(
			([, status, code]) => [status, code] as [string, string | undefined],
		);
		blocks.push({ operations: named.length ? named : headingOperations, statuses });
	};
	const withoutCode = markdown.replace(/^```[\s\S]*?^```$/gm, "");
	for (const line of withoutCode.split("\n")) {
		if (line.startsWith("#")) {
			close();
			headingOperations = [...line.matchAll(OPERATION)].map(([, method, path]) => `${method} ${path}`);
		} else if (line.trim() === "" || /^\s*- /.test(line)) {
			close();
			block.push(line);
		} else {
			block.push(line);
		}
	}
	close();
	return blocks;
}

/** The app's own routes with a handler, in OpenAPI's path form. */
function appRoutes(): Set<string> {
	return new Set(
		app.routes
			.filter((route) => route.method !== "ALL")
			.map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, "{$1}")}`),
	);
}

describe("GET /api/openapi.json", () => {
	it("is an OpenAPI 3.1 document whose every reference resolves", async () => {
		const doc = await openApiDocument();
		expect(doc.openapi).toBe("3.1.0");
		const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)];
		expect(refs.length).toBeGreaterThan(0);
		for (const [, name] of refs) expect(doc.components.schemas, name).toHaveProperty([name ?? ""]);
	});

	it("describes every route the app serves, and no other", async () => {
		const documented = [...answersInDocument(await openApiDocument()).keys()];
		expect(documented.sort()).toEqual([...appRoutes()].sort());
	});

	it("documents as required exactly the sale fields the admin route refuses to go without", async () => {
		const doc = await openApiDocument();
		const saleRequest = doc.components.schemas.AdminPutSaleRequest as { required: (keyof SaleInput)[] };
		expect(saleRequest.required.length).toBeGreaterThan(0);
		for (const field of saleRequest.required) {
			const { [field]: _, ...withoutIt } = saleInput();
			const res = await admin("PUT", `/sales/${uniqueSaleId("openapi")}`, withoutIt);
			expect(res.status, field).toBe(400);
			expect(await res.json<ErrorBody>()).toMatchObject({
				error: { code: "invalid_request", message: expect.stringMatching(new RegExp(`^${field}: `)) },
			});
		}
		const res = await admin("PUT", `/sales/${uniqueSaleId("openapi")}`, saleInput());
		expect(res.status).toBe(201);
	});
});

interface ObjectSchema {
	properties: Record<string, { items?: ObjectSchema }>;
	required?: string[];
}

describe("the admin view of a sale in the OpenAPI document", () => {
	it("describes every figure a sale with sizes, holds and shards answers", async () => {
		const doc = await openApiDocument();
		const overview = doc.components.schemas.SaleOverview as ObjectSchema;
		const documented = overview.properties.stats as ObjectSchema;
		const sale = await createSale("openapi-stats", {
			totalStock: 3,
			variants: [{ id: "us-9", name: "US 9", totalStock: 3 }],
			holdSeconds: 60,
			shards: 4,
		});
		expect((await (await Buyer.named("openapi-buyer")).buyVariant(sale.id, "us-9")).status).toBe(201);
		const { stats } = await (await admin("GET", `/sales/${sale.id}`)).json<{ stats: object }>();
		expect(stats).toHaveProperty("shards");
		expect(stats).toHaveProperty("coordinatorRequests");
		expect(Object.keys(stats).filter((field) => !(field in documented.properties))).toEqual([]);
		expect(documented.properties.shards?.items?.required?.sort()).toEqual(["held", "remaining", "sold"]);
	});
});

describe("docs/API.md and the OpenAPI document", () => {
	it("list the same operations, answers and error codes", async () => {
		const inDocument = answersInDocument(await openApiDocument());
		const inTable = answersInTable(apiMarkdown);
		expect(inTable.size).toBeGreaterThan(0);
		const sorted = (operations: Map<string, Set<string>>) =>
			Object.fromEntries(
				[...operations].sort().map(([operation, answers]) => [operation, [...answers].sort()]),
			);
		expect(sorted(inTable)).toEqual(sorted(inDocument));
	});

	it("lists every operation the prose names", () => {
		const listed = [...answersInTable(apiMarkdown).keys()];
		const table = new Set(listed.map(unnamed));
		const named = new Set(
			[...apiMarkdown.matchAll(OPERATION)].map(([, method, path]) => `${method} ${path}`),
		);
		const missing = [...named].filter((mention) => {
			const operations = resolve(mention, listed);
			return operations.length === 0 || operations.some((operation) => !table.has(unnamed(operation)));
		});
		expect(missing).toEqual([]);
	});

	it("lists, for each operation, every status and error code its prose states", () => {
		const table = answersInTable(apiMarkdown);
		const byOperation = new Map([...table].map(([operation, answers]) => [unnamed(operation), answers]));
		const answersOnPath = (operation: string) =>
			[...table]
				.filter(([other]) => unnamed(pathOf(other)) === unnamed(pathOf(operation)))
				.flatMap(([, answers]) => [...answers]);
		const unlisted: string[] = [];
		let checked = 0;
		for (const block of proseBlocks(apiMarkdown)) {
			const operations = block.operations.flatMap((mention) => resolve(mention, table.keys()));
			if (operations.length === 0) continue;
			// An error code belongs to the operations named; a bare status may be
			// another method's on the same path ("`DELETE` the same path: `204`").
			const answers = new Set(
				operations.flatMap((operation) => [...(byOperation.get(unnamed(operation)) ?? [])]),
			);
			const statusesOnPaths = new Set(operations.flatMap(answersOnPath).map((answer) => answer.slice(0, 3)));
			for (const [status, code] of block.statuses) {
				checked += 1;
				const listed = code
					? answers.has(`${status} ${code}`)
					: statusesOnPaths.has(status) || ON_EVERY_PATH.has(status);
				if (!listed) unlisted.push(`${operations.join(" / ")}: ${status}${code ? ` ${code}` : ""}`);
			}
		}
		expect(unlisted).toEqual([]);
		// The prose states dozens of answers; a parser that found none would prove nothing.
		expect(checked).toBeGreaterThan(40);
	});

	it("gives every error code of the contract to some operation, or to every path alike", async () => {
		// Any path answers another method with 405, and a bug with 500, which no operation promises.
		const everywhere: ErrorCode[] = ["method_not_allowed", "internal_error"];
		const answered = new Set(
			[...answersInDocument(await openApiDocument()).values()].flatMap((answers) =>
				[...answers].map((answer) => answer.slice(4)),
			),
		);
		expect(ERROR_CODES.filter((code) => !answered.has(code) && !everywhere.includes(code))).toEqual([]);
	});
});
