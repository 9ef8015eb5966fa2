/**
 * A shopper's connection to the Worker from node, as the browser gives the
 * page one: cookies kept and sent back, an address of its own (the per-address
 * rate limits see distinct people), and a record of every request sent. A
 * test can have the network answer the next request to a path in the Worker's
 * place, once, as the browser tests do at the browser's boundary; every other
 * request reaches the real Worker.
 */

export interface SentRequest {
	method: string;
	path: string;
	body: Record<string, unknown> | null;
	/** `Date.now()` when it left: on this machine, the Worker's clock too. */
	at: number;
}

/** What the network does with one request instead of delivering it. */
type Interception =
	| { kind: "answer"; status: number; headers: Record<string, string>; body: unknown }
	/** The request never reaches the Worker. */
	| { kind: "drop" }
	/** The request reaches the Worker, but its answer never comes back. */
	| { kind: "lose_answer" };

let connections = 0;

export class Connection {
	readonly sent: SentRequest[] = [];
	readonly #origin: string;
	readonly #address = `192.0.2.${++connections % 250}`;
	readonly #cookies = new Map<string, string>();
	readonly #intercepted = new Map<string, Interception>();

	constructor(origin: string) {
		this.#origin = origin;
	}

	/** The fetch the API client is given; paths are the page's, relative to the Worker. */
	readonly fetch = async (url: string, init: RequestInit): Promise<Response> => {
		const { pathname } = new URL(url, this.#origin);
		const method = init.method ?? "GET";
		const body = typeof init.body === "string" ? (JSON.parse(init.body) as Record<string, unknown>) : null;
		this.sent.push({ method, path: pathname, body, at: Date.now() });
		const interception = this.#take(method, pathname);
		if (interception?.kind === "answer") {
			return new Response(JSON.stringify(interception.body), {
				status: interception.status,
				headers: { "content-type": "application/json", ...interception.headers },
			});
		}
		if (interception?.kind === "drop") throw new TypeError("fetch failed: the network dropped the request");
		const response = await fetch(new URL(url, this.#origin), {
			...init,
			headers: {
				...(init.headers as Record<string, string>),
				...this.#cookieHeader(),
				"cf-connecting-ip": this.#address,
			},
		});
		for (const cookie of response.headers.getSetCookie()) this.#keep(cookie);
		if (interception?.kind === "lose_answer") {
			await response.body?.cancel();
			throw new TypeError("fetch failed: the answer was lost on the way back");
		}
		return response;
	};

	/**
	 * The next `method` request to a path ending in `suffix` is answered with
	 * the contract's error shape instead of reaching the Worker.
	 */
	answerNext(
		method: string,
		suffix: string,
		answer: { status: number; code: string; headers?: Record<string, string> },
	): void {
		this.#intercepted.set(`${method} ${suffix}`, {
			kind: "answer",
			status: answer.status,
			headers: answer.headers ?? {},
			body: { error: { code: answer.code, message: `answered by the test: ${answer.code}` } },
		});
	}

	/** The next `method` request to a path ending in `suffix` never reaches the Worker. */
	dropNext(method: string, suffix: string): void {
		this.#intercepted.set(`${method} ${suffix}`, { kind: "drop" });
	}

	/** The next `method` request to a path ending in `suffix` reaches the Worker; its answer is lost. */
	loseNextAnswer(method: string, suffix: string): void {
		this.#intercepted.set(`${method} ${suffix}`, { kind: "lose_answer" });
	}

	/** The requests sent with `method` to paths ending in `suffix`. */
	sentTo(method: string, suffix: string): SentRequest[] {
		return this.sent.filter((request) => request.method === method && request.path.endsWith(suffix));
	}

	#take(method: string, pathname: string): Interception | undefined {
		for (const [key, interception] of this.#intercepted) {
			const [wanted, suffix = ""] = key.split(" ");
			if (wanted === method && pathname.endsWith(suffix)) {
				this.#intercepted.delete(key);
				return interception;
			}
		}
		return undefined;
	}

	#keep(setCookie: string): void {
		const pair = setCookie.split(";")[0] ?? "";
		const equals = pair.indexOf("=");
		if (equals > 0) this.#cookies.set(pair.slice(0, equals).trim(), pair.slice(equals + 1).trim());
	}

	#cookieHeader(): Record<string, string> {
		if (this.#cookies.size === 0) return {};
		return { cookie: [...this.#cookies].map(([name, value]) => `${name}=${value}`).join("; ") };
	}
}
