import { createServer } from "node:net";
import { WebSocket } from "undici";

/** A Chrome DevTools Protocol session with one worker, through Miniflare's inspector port. */
export class Inspector {
	readonly #socket: WebSocket;
	#nextId = 1;
	readonly #pending = new Map<number, (result: unknown) => void>();

	private constructor(socket: WebSocket) {
		this.#socket = socket;
		socket.addEventListener("message", (event) => {
			const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
			if (message.id !== undefined) this.#pending.get(message.id)?.(message.result);
		});
	}

	static open(url: string): Promise<Inspector> {
		const socket = new WebSocket(url);
		return new Promise((resolve, reject) => {
			socket.addEventListener("open", () => resolve(new Inspector(socket)));
			socket.addEventListener("error", () => reject(new Error(`Cannot open the inspector at ${url}`)));
		});
	}

	send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
		const id = this.#nextId++;
		this.#socket.send(JSON.stringify({ id, method, params }));
		return new Promise((resolve) => this.#pending.set(id, (result) => resolve(result as T)));
	}

	close(): void {
		this.#socket.close();
	}
}

export async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const address = server.address();
	await new Promise((resolve) => server.close(resolve));
	if (typeof address !== "object" || address === null) throw new Error("No free port for the inspector.");
	return address.port;
}
