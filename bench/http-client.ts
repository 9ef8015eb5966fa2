import { Pool } from "undici";

/** One answer as the benchmark judges it. */
export interface Answer {
	status: number;
	/** `error.code` of an error answer; null for a success or a body that is not the error shape. */
	code: string | null;
	/** The parsed body, or undefined when it was not JSON. */
	body: unknown;
	contentType: string | undefined;
	retryAfter: string | undefined;
}

export interface Exchange {
	answer: Answer;
	/** `performance.now()` when the request was handed to the client, and when its answer was read. */
	start: number;
	end: number;
}

export type Headers = Record<string, string>;

/**
 * Keep-alive HTTP/1.1 over loopback through undici, which holds `connections`
 * sockets open to the Worker: what a thousand browsers would hold. Requests
 * beyond that wait in the client, as they would in a browser.
 */
export class HttpClient {
	readonly #pool: Pool;

	constructor(origin: string, connections: number) {
		this.#pool = new Pool(origin, {
			connections,
			pipelining: 1,
			keepAliveTimeout: 60_000,
			headersTimeout: 120_000,
			bodyTimeout: 120_000,
		});
	}

	async send(
		method: "GET" | "POST" | "PUT",
		path: string,
		headers: Headers,
		body?: unknown,
	): Promise<Exchange> {
		const start = performance.now();
		try {
			const response = await this.#pool.request({
				method,
				path,
				headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
				body: body === undefined ? undefined : JSON.stringify(body),
			});
			const text = await response.body.text();
			const end = performance.now();
			return { answer: toAnswer(response.statusCode, response.headers, text), start, end };
		} catch (error) {
			const end = performance.now();
			return {
				answer: {
					status: 0,
					code: "network_error",
					body: String(error),
					contentType: undefined,
					retryAfter: undefined,
				},
				start,
				end,
			};
		}
	}

	close(): Promise<void> {
		return this.#pool.close();
	}
}

function toAnswer(
	status: number,
	headers: Record<string, string | string[] | undefined>,
	text: string,
): Answer {
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		body = undefined;
	}
	const header = (name: string) => {
		const value = headers[name];
		return Array.isArray(value) ? value[0] : value;
	};
	return {
		status,
		code: errorCode(body),
		body,
		contentType: header("content-type"),
		retryAfter: header("retry-after"),
	};
}

function errorCode(body: unknown): string | null {
	if (typeof body !== "object" || body === null || !("error" in body)) return null;
	const error = body.error;
	if (typeof error !== "object" || error === null || !("code" in error)) return null;
	return typeof error.code === "string" ? error.code : null;
}

/** How an answer is counted: `201`, `409 sold_out`, `0 network_error`. */
export function outcomeOf(answer: Answer): string {
	return answer.code === null ? String(answer.status) : `${answer.status} ${answer.code}`;
}
