import * as z from "zod";
import { DRAW_ALGORITHM, drawSeed, entryCommitment, pickWinners, randomSource } from "./draw-v1.ts";
import {
	commitmentAt,
	DrawInputError,
	type EntrantList,
	EntrantListBuilder,
	entrantsRoot,
	indexOfCommitment,
} from "./entrant-list.ts";
import { bytesToHex, isLowerHex } from "./hex.ts";
import { verifyLocalReveal } from "./local-beacon.ts";
import { QUICKNET, quicknetRound, verifyQuicknetRound } from "./quicknet.ts";
import { shuffledOrder } from "./shuffle.ts";

/** One thing the verifier checked, and what it found. */
export interface VerifyCheck {
	name: string;
	ok: boolean;
	detail: string;
}

export interface DrawVerdict {
	/** True only if every check passed. */
	ok: boolean;
	checks: VerifyCheck[];
}

/** What a verifier reads from a Doorbuster origin, as JSON. */
export interface DrawDocuments {
	saleId: string;
	/** The body of `GET /api/sales/{saleId}`. */
	sale: unknown;
	/** The body of `GET /api/sales/{saleId}/draw`. */
	draw: unknown;
	/** Every entrant of every page of `GET /api/sales/{saleId}/draw/entrants`, in the order served. */
	entrants: readonly unknown[];
}

export interface VerifyOptions {
	/** Accept the `local` beacon, whose secret the operator knew in advance. */
	allowLocal?: boolean;
	/** The checker's own entry: also check that its commitment is in the list. */
	entry?: { userId: string; nonce: string };
}

const saleDocument = z.object({
	sale: z.object({
		id: z.string(),
		endsAt: z.number().int(),
		totalStock: z.number().int().nonnegative().optional(),
		variants: z.array(z.object({ id: z.string(), totalStock: z.number().int().nonnegative() })).optional(),
	}),
});

const drawDocument = z.object({
	draw: z.object({
		beacon: z.enum(["drand-quicknet", "local"]),
		chainHash: z.string().nullish(),
		round: z.number().int(),
		status: z.string(),
		commitment: z.string().nullish(),
		entrants: z.number().int().nonnegative().nullish(),
		entrantsRoot: z.string().nullish(),
		randomness: z.string().nullish(),
		signature: z.string().nullish(),
		winners: z.array(z.string()).nullish(),
		runnersUp: z.array(z.string()).nullish(),
		algorithm: z.string().nullish(),
	}),
});

type DrawView = z.infer<typeof drawDocument>["draw"];

/**
 * Checks a published draw from scratch, trusting nothing the server says
 * that it can recompute: the round from `endsAt`, the beacon against the
 * pinned quicknet key (or a local secret against its commitment, only when
 * allowed), the entrants root from the served list, and the winners by
 * running doorbuster-draw-v1 again. Pure: the command fetches the documents.
 */
export function verifyDraw(documents: DrawDocuments, options: VerifyOptions = {}): DrawVerdict {
	const checks: VerifyCheck[] = [];
	const check = (name: string, ok: boolean, detail: string) => {
		checks.push({ name, ok, detail });
		return ok;
	};
	const verdict = () => ({ ok: checks.every((c) => c.ok), checks });

	const saleParse = saleDocument.safeParse(documents.sale);
	if (!saleParse.success) {
		check("sale", false, "the sale view is not a sale with endsAt and its variants' stock");
		return verdict();
	}
	const sale = saleParse.data.sale;
	const stock = stockOf(sale);
	if (!check("sale", sale.id === documents.saleId, `sale ${JSON.stringify(sale.id)}, ends at ${sale.endsAt}`))
		return verdict();

	const drawParse = drawDocument.safeParse(documents.draw);
	if (!drawParse.success) {
		check("draw", false, "the draw view lacks beacon, round or status");
		return verdict();
	}
	const draw = drawParse.data.draw;
	if (draw.status !== "drawn") {
		check("draw", false, `the draw is "${draw.status}", not drawn yet`);
		return verdict();
	}
	if (!check("draw", draw.algorithm === DRAW_ALGORITHM, `algorithm ${JSON.stringify(draw.algorithm)}`))
		return verdict();

	const reveal = { round: draw.round, randomness: draw.randomness ?? "", signature: draw.signature ?? "" };
	checkBeacon(draw, sale.endsAt, reveal, options, check);

	const list = readEntrants(documents.entrants, Object.keys(stock), check);
	if (list === undefined) return verdict();
	check(
		"entrant count",
		draw.entrants === list.count,
		`${list.count} entrants served, the draw view says ${draw.entrants ?? "nothing"}`,
	);

	const root = entrantsRoot(list);
	const rootHex = bytesToHex(root);
	check(
		"entrants root",
		rootHex === draw.entrantsRoot,
		rootHex === draw.entrantsRoot
			? rootHex
			: `recomputed ${rootHex}, published ${draw.entrantsRoot ?? "nothing"}`,
	);
	const source = randomSource(draw.beacon, reveal);
	if (!isLowerHex(source, 32)) {
		check("winners", false, "cannot recompute: the beacon gave no 64-hex-digit value to seed from");
		return verdict();
	}
	const order = shuffledOrder(list.count, drawSeed(source, root));
	const winners = Array.from(pickWinners(list, order, stock), (index) => commitmentAt(list, index));
	checkWinners(winners, draw.winners ?? [], check);
	checkRunnersUp(list, new Set(winners), draw.runnersUp ?? [], check);
	if (options.entry)
		checkOwnEntry(documents.saleId, options.entry, list, winners, draw.runnersUp ?? [], check);
	return verdict();
}

type Check = (name: string, ok: boolean, detail: string) => boolean;

function stockOf(sale: z.infer<typeof saleDocument>["sale"]): Record<string, number> {
	// A sale created without variants has one, "default", holding its totalStock.
	const variants = sale.variants ?? [{ id: "default", totalStock: sale.totalStock ?? 0 }];
	return Object.fromEntries(variants.map((variant) => [variant.id, variant.totalStock]));
}

function checkBeacon(
	draw: DrawView,
	endsAt: number,
	reveal: { round: number; randomness: string; signature: string },
	options: VerifyOptions,
	check: Check,
): void {
	if (draw.beacon === "local") {
		if (!options.allowLocal) {
			check(
				"beacon",
				false,
				"local beacon refused: the operator knew its secret before the list was frozen (--allow-local checks it anyway)",
			);
			return;
		}
		const local = verifyLocalReveal(draw.commitment ?? "", reveal);
		check(
			"beacon",
			local.ok,
			local.ok ? "local secret matches its commitment (not a public beacon)" : local.detail,
		);
		return;
	}
	check("chain", draw.chainHash === QUICKNET.chainHash, `chain hash ${draw.chainHash ?? "missing"}`);
	const expectedRound = quicknetRound(endsAt);
	check(
		"round",
		draw.round === expectedRound,
		`round ${draw.round}; endsAt gives round ${expectedRound} (the first at or after endsAt + 30 s)`,
	);
	const round = verifyQuicknetRound(reveal, draw.round);
	check(
		"beacon",
		round.ok,
		round.ok ? `quicknet round ${draw.round} verifies against the pinned public key` : round.detail,
	);
}

function readEntrants(
	entrants: readonly unknown[],
	variantIds: string[],
	check: Check,
): EntrantList | undefined {
	let builder: EntrantListBuilder;
	try {
		builder = new EntrantListBuilder(variantIds, entrants.length);
	} catch (error) {
		if (!(error instanceof DrawInputError)) throw error;
		check("entrant list", false, `the sale's variants: ${error.message}`);
		return undefined;
	}
	try {
		for (const entrant of entrants) {
			const { commitment, variantId, quantity } = (entrant ?? {}) as Record<string, unknown>;
			builder.add(commitment, variantId, quantity);
		}
	} catch (error) {
		if (!(error instanceof DrawInputError)) throw error;
		check("entrant list", false, error.message);
		return undefined;
	}
	const list = builder.build();
	check("entrant list", true, `${list.count} entrants, well formed, in canonical order`);
	return list;
}

function checkWinners(recomputed: string[], published: string[], check: Check): void {
	const differsAt = firstDifference(recomputed, published);
	check(
		"winners",
		differsAt === -1,
		differsAt === -1
			? `${recomputed.length} winners, as published, in drawn order`
			: `published winner #${differsAt + 1} is ${published[differsAt] ?? "missing"}, recomputed ${recomputed[differsAt] ?? "none"}`,
	);
}

/**
 * Runners-up depend on which units came back, which the verifier cannot see,
 * so it checks only what always holds: each is an entrant, not a winner,
 * offered once.
 */
function checkRunnersUp(list: EntrantList, winners: Set<string>, runnersUp: string[], check: Check): void {
	const seen = new Set<string>();
	for (const commitment of runnersUp) {
		if (indexOfCommitment(list, commitment) < 0 || winners.has(commitment) || seen.has(commitment)) {
			check("runners-up", false, `${commitment} is not an entrant, is a winner, or repeats`);
			return;
		}
		seen.add(commitment);
	}
	check("runners-up", true, `${runnersUp.length} runners-up, each an entrant who did not win`);
}

function checkOwnEntry(
	saleId: string,
	entry: { userId: string; nonce: string },
	list: EntrantList,
	winners: string[],
	runnersUp: string[],
	check: Check,
): void {
	let commitment: string;
	try {
		commitment = entryCommitment(saleId, entry.userId, entry.nonce);
	} catch (error) {
		if (!(error instanceof DrawInputError)) throw error;
		check("your entry", false, error.message);
		return;
	}
	const found = indexOfCommitment(list, commitment) >= 0;
	const fate = winners.includes(commitment)
		? "it won"
		: runnersUp.includes(commitment)
			? "it was offered a returned unit"
			: "it did not win";
	check(
		"your entry",
		found,
		found ? `${commitment} is in the list; ${fate}` : `${commitment} is NOT in the list`,
	);
}

function firstDifference(a: string[], b: string[]): number {
	for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
	return -1;
}
