// A discrete-event simulation of one sale's rush over K shard objects, their
// coordinator and, optionally, M relay objects in front of each shard (as
// src/relay/purchase-relay.ts). Pure and deterministic: the same parameters
// and seed give the same result. Used by bench/capacity-model.ts; see its header.

/** What a rush looks like and what the objects can do. Times in ms. */
export interface RushParams {
	/** Buyers, each sending one purchase. */
	buyers: number;
	/** Buyers arrive uniformly at random within this window from t = 0 (ignored with `arrivals`). */
	windowMs: number;
	/** Units for sale, one per buyer. */
	stock: number;
	/** Shard objects, K. */
	shards: number;
	/** Time one request holds an object (shard or coordinator): 1 ÷ its requests per second. */
	serviceMs: number;
	/**
	 * Time an object spends resuming a request it already took in: a
	 * purchase that waited for a lease, a grant or a recalled unit arriving
	 * as the answer to the object's own call. Not a new request, so neither
	 * the per-request limit nor the queue applies to it; its cost is the
	 * work itself. Default `serviceMs`.
	 */
	resumeMs?: number;
	/** Requests an object lets wait behind the one it serves; one more is answered `overloaded`. */
	queueLimit: number;
	/** One way, edge isolate to shard object and back. */
	edgeToShardMs: number;
	/** One way, shard to coordinator and back. */
	shardToCoordinatorMs: number;
	/** Units per lease; every shard starts the sale holding one. */
	leaseChunk: number;
	/** A shard asks for the next lease when it holds this many units or fewer. */
	lowWater: number;
	/**
	 * Edge isolates the crowd spreads over. A shard answers `sold_out` only
	 * once the coordinator has told it no unit is left anywhere, so that
	 * answer holds for the whole sale: the isolate that gets it answers every
	 * later buyer of the sale itself, as the edge does today with one object.
	 */
	edgeIsolates: number;
	/** Share of buyers whose hash lands on shard 0 (the rest spread evenly); 0 = every shard alike. */
	skew: number;
	seed: number;
	/** Exact arrival times instead of random ones (tests). */
	arrivals?: readonly number[];
	/**
	 * Relay objects per shard, M (the sale's `relays`); default 0, none. With
	 * M > 0 the edge sends each purchase to one of its shard's M relays,
	 * chosen uniformly at random, instead of to the shard.
	 */
	relays?: number;
	/** One way, relay to its shard and back. Default `edgeToShardMs`. */
	relayToShardMs?: number;
}

/** The most purchases one relay call carries (MAX_BATCH in src/relay/purchase-relay.ts). */
export const MAX_BATCH = 100;
/** The most purchases a relay keeps for its next calls; one more is answered `overloaded` (MAX_WAITING there). */
export const MAX_WAITING = 10 * MAX_BATCH;

export type Answer = "purchased" | "sold_out" | "overloaded";

export interface RushResult {
	answers: Record<Answer, number>;
	/** Units sold; never more than the stock. */
	sold: number;
	/** When the last unit sold (ms from the first arrival window's start), or null if units are left. */
	sellOutMs: number | null;
	/** When the last buyer got an answer. */
	lastAnswerMs: number;
	/** Answer latency at the edge, from arrival to answer (ms). */
	latency: { mean: number; p50: number; p90: number; p99: number; max: number };
	/** Answers by the edge itself, without reaching a shard. */
	edgeAnswers: number;
	/** Requests the coordinator served: lease requests (recalled units come back as answers). */
	coordinatorRequests: number;
	/** Requests shards served: purchases (a relay's batch counts once) and recalls (grants come back as answers). */
	shardRequests: number;
	/** Requests relays served: one a purchase that reached a relay and was not answered `overloaded` there. */
	relayRequests: number;
	/** Purchases per relay call to a shard, on average; null if no relay called. */
	meanBatch: number | null;
	/** Units left in the coordinator's pool, in shards and in flight at the end (stock − sold). */
	unsoldUnits: number;
	/** Buyers answered exactly once each. */
	answered: number;
}

/** Mulberry32: a small seeded generator, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** A buyer's purchase; `batch` if a relay sent it, in that call. */
type Purchase = { kind: "purchase"; buyer: number; batch?: Batch };

/** One relay call: its purchases, and the outcomes the shard has settled so far. */
interface Batch {
	relay: RelayState;
	buyers: number[];
	outcomes: { buyer: number; outcome: Answer; final: boolean }[];
}

type Job =
	| Purchase
	| { kind: "batch"; batch: Batch }
	| { kind: "grant"; units: number; final: boolean }
	| { kind: "recall" }
	| { kind: "lease"; shard: number; local: number; dry: boolean }
	| { kind: "return"; shard: number; units: number; local: number };

/**
 * One object: single-threaded, first come first served, a bounded queue of
 * requests; requests it already took in resume ahead of new ones, outside
 * the queue.
 */
class Server {
	readonly queue: Job[] = [];
	readonly resuming: Job[] = [];
	head = 0;
	busy = false;
	served = 0;
	get waiting(): number {
		return this.queue.length - this.head;
	}
	take(): Job | undefined {
		const job = this.queue[this.head];
		if (job === undefined) return undefined;
		this.head++;
		if (this.head > 1024 && this.head * 2 > this.queue.length) {
			this.queue.splice(0, this.head);
			this.head = 0;
		}
		return job;
	}
}

interface ShardState {
	server: Server;
	local: number;
	leasing: boolean;
	final: boolean;
	parked: Purchase[];
}

interface RelayState {
	server: Server;
	shard: number;
	/** Purchases taken in while a call was on its way, for the next call. */
	pending: number[];
	calling: boolean;
}

/** A binary min-heap of events by time, ties in the order scheduled. */
class Agenda {
	readonly #times: number[] = [];
	readonly #order: number[] = [];
	readonly #actions: (() => void)[] = [];
	#next = 0;
	get size(): number {
		return this.#times.length;
	}
	at(time: number, action: () => void): void {
		this.#times.push(time);
		this.#order.push(this.#next++);
		this.#actions.push(action);
		let i = this.#times.length - 1;
		while (i > 0) {
			const parent = (i - 1) >> 1;
			if (!this.#before(i, parent)) break;
			this.#swap(i, parent);
			i = parent;
		}
	}
	pop(): { time: number; action: () => void } {
		const time = this.#times[0] ?? 0;
		const action = this.#actions[0] ?? (() => {});
		const last = this.#times.length - 1;
		this.#swap(0, last);
		this.#times.pop();
		this.#order.pop();
		this.#actions.pop();
		let i = 0;
		for (;;) {
			const l = 2 * i + 1;
			const r = l + 1;
			let m = i;
			if (l < this.#times.length && this.#before(l, m)) m = l;
			if (r < this.#times.length && this.#before(r, m)) m = r;
			if (m === i) break;
			this.#swap(i, m);
			i = m;
		}
		return { time, action };
	}
	#before(a: number, b: number): boolean {
		const ta = this.#times[a] ?? 0;
		const tb = this.#times[b] ?? 0;
		return ta < tb || (ta === tb && (this.#order[a] ?? 0) < (this.#order[b] ?? 0));
	}
	#swap(a: number, b: number): void {
		for (const list of [this.#times, this.#order] as number[][]) {
			const x = list[a] ?? 0;
			list[a] = list[b] ?? 0;
			list[b] = x;
		}
		const x = this.#actions[a] ?? (() => {});
		this.#actions[a] = this.#actions[b] ?? (() => {});
		this.#actions[b] = x;
	}
}

/**
 * Runs one rush. Buyers reach their edge isolate at their arrival time; an
 * isolate that already knows the sale is sold out answers at once, otherwise the purchase travels to the buyer's shard. A shard is one
 * server: it sells from the units it holds; when it holds `lowWater` or
 * fewer it asks the coordinator for a lease of `leaseChunk` more; a buyer
 * who finds it empty waits (parked, holding no server time) for the lease
 * and then resumes inside its own request, ahead of new requests; grants
 * and recalled units likewise arrive as answers, not requests.
 * The coordinator, one more server, grants from its pool; when its pool is
 * empty and a shard runs dry, it recalls units from every shard it knows to
 * hold some (each gives back every unit it has not sold, as the code does)
 * and grants from what comes back; only when its pool is empty and no shard holds a unit does it tell
 * the dry shard `final`, and only then does that shard answer `sold_out`.
 * An object with `queueLimit` requests waiting answers the next buyer
 * `overloaded` at once (lease traffic is never refused).
 *
 * With `relays` M > 0 a purchase goes to one of its shard's M relays
 * instead: one more server, which answers `overloaded` the same way. A
 * relay keeps at most one call in flight to its shard: a purchase it takes
 * in while none is goes at once, alone; those it takes in meanwhile wait
 * (holding no server time) and go together, up to MAX_BATCH, as the next
 * call once the answer is back. The shard serves a call as one request,
 * `serviceMs` plus `resumeMs` for each purchase past the first, runs each
 * purchase in it as it runs a lone one, and answers once every one has its
 * outcome (so a parked purchase holds back the whole call); the relay then
 * answers each buyer. Handing out an answer costs the relay no server time:
 * the soft limit counts requests, and an answer is not one.
 */
export function simulateRush(p: RushParams): RushResult {
	const random = seededRandom(p.seed);
	const agenda = new Agenda();
	const latencies = new Float64Array(p.buyers);
	const answers: Record<Answer, number> = { purchased: 0, sold_out: 0, overloaded: 0 };
	let answered = 0;
	let edgeAnswers = 0;
	let sold = 0;
	let sellOutMs: number | null = null;
	let lastAnswerMs = 0;
	let now = 0;

	const arrivals = p.arrivals ?? Array.from({ length: p.buyers }, () => random() * p.windowMs);
	const shardOf = Array.from({ length: p.buyers }, () =>
		p.skew > 0 && random() < p.skew ? 0 : Math.floor(random() * p.shards),
	);
	const isolateOf = Array.from({ length: p.buyers }, () => Math.floor(random() * p.edgeIsolates));
	const knownOut = new Uint8Array(p.edgeIsolates);
	const relays = p.relays ?? 0;
	const relayToShardMs = p.relayToShardMs ?? p.edgeToShardMs;
	// Drawn after the rest, so the crowd is the same with relays as without.
	const relayOf = Array.from({ length: relays > 0 ? p.buyers : 0 }, () => Math.floor(random() * relays));

	const shards: ShardState[] = [];
	let pool = p.stock;
	const known = new Array<number>(p.shards).fill(0);
	for (let s = 0; s < p.shards; s++) {
		const units = Math.min(p.leaseChunk, pool);
		pool -= units;
		known[s] = units;
		shards.push({ server: new Server(), local: units, leasing: false, final: false, parked: [] });
	}
	const relaysOf = shards.map((_, s) =>
		Array.from(
			{ length: relays },
			(): RelayState => ({ server: new Server(), shard: s, pending: [], calling: false }),
		),
	);
	/** Relay calls made, and the purchases they carried. */
	let calls = 0;
	let called = 0;
	const coordinator = new Server();
	/** Dry shards waiting at the coordinator for units. */
	const waitingShards: number[] = [];
	/** Recalls sent and not yet answered, and to whom. */
	let recallsOut = 0;
	const recalling = new Array<boolean>(p.shards).fill(false);
	/** Units on their way between coordinator and shards. */
	let inFlight = 0;
	/** Units granted to each shard and not yet arrived there: the coordinator counts them as that shard's. */
	const granting = new Array<number>(p.shards).fill(0);

	const answer = (buyer: number, outcome: Answer, at: number, byEdge = false) => {
		answers[outcome]++;
		answered++;
		latencies[buyer] = at - (arrivals[buyer] ?? 0);
		lastAnswerMs = Math.max(lastAnswerMs, at);
		if (byEdge) edgeAnswers++;
	};
	const reply = (buyer: number, outcome: Answer, final: boolean) => {
		agenda.at(now + p.edgeToShardMs, () => {
			if (final) knownOut[isolateOf[buyer] ?? 0] = 1;
			answer(buyer, outcome, now);
		});
	};

	const resumeMs = p.resumeMs ?? p.serviceMs;
	/** A new request's server time: a relay call pays the per-request cost once, and each further purchase its own work. */
	const costOf = (job: Job) =>
		job.kind === "batch" ? p.serviceMs + (job.batch.buyers.length - 1) * resumeMs : p.serviceMs;
	const start = (server: Server, serve: (job: Job) => void) => {
		if (server.busy) return;
		const resumed = server.resuming.shift();
		const job = resumed ?? server.take();
		if (!job) return;
		server.busy = true;
		agenda.at(now + (resumed ? resumeMs : costOf(job)), () => {
			server.busy = false;
			if (!resumed) server.served++;
			serve(job);
			start(server, serve);
		});
	};
	/** A request to shard `s`, or with `resumed` the answer to one of its own calls. */
	const toShard = (s: number, job: Job, resumed = false) => {
		const shard = shards[s];
		if (!shard) return;
		(resumed ? shard.server.resuming : shard.server.queue).push(job);
		start(shard.server, (served) => serveShard(s, served));
	};
	/** A request to the coordinator, or with `resumed` the answer to one of its own calls. */
	const toCoordinator = (job: Job, resumed = false) => {
		agenda.at(now + p.shardToCoordinatorMs, () => {
			(resumed ? coordinator.resuming : coordinator.queue).push(job);
			start(coordinator, serveCoordinator);
		});
	};
	/** A purchase to relay `relay`, which takes it in and calls its shard with it. */
	const toRelay = (relay: RelayState, job: Purchase) => {
		relay.server.queue.push(job);
		start(relay.server, (served) => {
			if (served.kind !== "purchase") return;
			if (relay.pending.length >= MAX_WAITING) {
				reply(served.buyer, "overloaded", false);
				return;
			}
			relay.pending.push(served.buyer);
			call(relay);
		});
	};
	/** Relay `relay` calls its shard with what waits in it, unless a call of its is on its way. */
	const call = (relay: RelayState) => {
		if (relay.calling || relay.pending.length === 0) return;
		relay.calling = true;
		const batch: Batch = { relay, buyers: relay.pending.splice(0, MAX_BATCH), outcomes: [] };
		calls++;
		called += batch.buyers.length;
		agenda.at(now + relayToShardMs, () => {
			const shard = shards[relay.shard];
			if (!shard) return;
			if (shard.server.waiting < p.queueLimit) toShard(relay.shard, { kind: "batch", batch });
			else for (const buyer of batch.buyers) settle({ kind: "purchase", buyer, batch }, "overloaded", false);
		});
	};
	/**
	 * A purchase's outcome: to its buyer, or into its relay call's answer,
	 * which goes back once every purchase in the call has one; the relay
	 * then answers each buyer and makes its next call.
	 */
	const settle = (job: Purchase, outcome: Answer, final: boolean) => {
		const batch = job.batch;
		if (!batch) {
			reply(job.buyer, outcome, final);
			return;
		}
		batch.outcomes.push({ buyer: job.buyer, outcome, final });
		if (batch.outcomes.length < batch.buyers.length) return;
		agenda.at(now + relayToShardMs, () => {
			for (const answered of batch.outcomes) reply(answered.buyer, answered.outcome, answered.final);
			batch.relay.calling = false;
			call(batch.relay);
		});
	};
	const askLease = (s: number, shard: ShardState) => {
		if (shard.leasing || shard.final) return;
		shard.leasing = true;
		toCoordinator({ kind: "lease", shard: s, local: shard.local, dry: shard.local === 0 });
	};

	function serveShard(s: number, job: Job): void {
		const shard = shards[s];
		if (!shard) return;
		if (job.kind === "purchase") {
			if (shard.local > 0) {
				shard.local--;
				sold++;
				if (sold === p.stock) sellOutMs = now;
				settle(job, "purchased", false);
				if (shard.local <= p.lowWater) askLease(s, shard);
			} else if (shard.final) {
				settle(job, "sold_out", true);
			} else {
				shard.parked.push(job);
				askLease(s, shard);
			}
		} else if (job.kind === "batch") {
			// Each purchase in a relay call runs as it would alone, in the order the relay took them in.
			for (const buyer of job.batch.buyers) serveShard(s, { kind: "purchase", buyer, batch: job.batch });
		} else if (job.kind === "grant") {
			shard.leasing = false;
			inFlight -= job.units;
			granting[s] = (granting[s] ?? 0) - job.units;
			shard.local += job.units;
			if (job.final) shard.final = true;
			// Purchases that waited for this lease resume inside their own requests.
			for (const parked of shard.parked.splice(0)) shard.server.resuming.push(parked);
			if (!shard.final && shard.local <= p.lowWater && shard.parked.length === 0 && job.units > 0) {
				askLease(s, shard);
			}
		} else if (job.kind === "recall") {
			// As `ShardLease.surrender`: every unit the shard has not sold goes back.
			const units = shard.local;
			shard.local -= units;
			inFlight += units;
			toCoordinator({ kind: "return", shard: s, units, local: shard.local }, true);
		}
	}

	const grant = (s: number, units: number, final: boolean) => {
		pool -= units;
		inFlight += units;
		granting[s] = (granting[s] ?? 0) + units;
		known[s] = (known[s] ?? 0) + units;
		agenda.at(now + p.shardToCoordinatorMs, () => toShard(s, { kind: "grant", units, final }, true));
	};
	/**
	 * Grants waiting dry shards what the pool has. Past that, recalls the
	 * units of every shard it believes holds some (each asked once at a
	 * time), and only once no shard holds a unit and no recall is out tells
	 * the waiting shards `final`.
	 */
	const settleWaiting = () => {
		while (waitingShards.length > 0 && pool > 0) {
			const s = waitingShards.shift() ?? 0;
			grant(s, Math.min(p.leaseChunk, pool), false);
		}
		if (waitingShards.length === 0) return;
		const holders = known.flatMap((units, s) => (units > 0 && !recalling[s] ? [s] : []));
		if (holders.length === 0 && recallsOut === 0) {
			for (const s of waitingShards.splice(0)) grant(s, 0, true);
			return;
		}
		for (const s of holders) {
			recallsOut++;
			recalling[s] = true;
			agenda.at(now + p.shardToCoordinatorMs, () => toShard(s, { kind: "recall" }));
		}
	};

	function serveCoordinator(job: Job): void {
		if (job.kind === "lease") {
			known[job.shard] = job.local;
			if (pool > 0) grant(job.shard, Math.min(p.leaseChunk, pool), false);
			else if (!job.dry) grant(job.shard, 0, false);
			else {
				waitingShards.push(job.shard);
				settleWaiting();
			}
		} else if (job.kind === "return") {
			recallsOut--;
			recalling[job.shard] = false;
			inFlight -= job.units;
			pool += job.units;
			known[job.shard] = job.local + (granting[job.shard] ?? 0);
			settleWaiting();
		}
	}

	for (let buyer = 0; buyer < p.buyers; buyer++) {
		agenda.at(arrivals[buyer] ?? 0, () => {
			const s = shardOf[buyer] ?? 0;
			if (knownOut[isolateOf[buyer] ?? 0]) {
				answer(buyer, "sold_out", now, true);
				return;
			}
			agenda.at(now + p.edgeToShardMs, () => {
				const shard = shards[s];
				if (!shard) return;
				const relay = relays > 0 ? relaysOf[s]?.[relayOf[buyer] ?? 0] : undefined;
				if ((relay ?? shard).server.waiting >= p.queueLimit) reply(buyer, "overloaded", false);
				else if (relay) toRelay(relay, { kind: "purchase", buyer });
				else toShard(s, { kind: "purchase", buyer });
			});
		});
	}
	while (agenda.size > 0) {
		const event = agenda.pop();
		now = event.time;
		event.action();
	}

	const sorted = Float64Array.from(latencies).sort();
	const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
	return {
		answers,
		sold,
		sellOutMs,
		lastAnswerMs,
		latency: {
			mean: sorted.reduce((sum, x) => sum + x, 0) / Math.max(1, sorted.length),
			p50: at(0.5),
			p90: at(0.9),
			p99: at(0.99),
			max: sorted[sorted.length - 1] ?? 0,
		},
		edgeAnswers,
		coordinatorRequests: coordinator.served,
		shardRequests: shards.reduce((sum, shard) => sum + shard.server.served, 0),
		relayRequests: relaysOf.flat().reduce((sum, relay) => sum + relay.server.served, 0),
		meanBatch: calls > 0 ? called / calls : null,
		unsoldUnits: pool + inFlight + shards.reduce((sum, shard) => sum + shard.local, 0),
		answered,
	};
}
