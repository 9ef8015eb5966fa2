import * as z from "zod";
import { type SaleStatus, saleStatus } from "../../public/assets/lib/sale-status.js";
import { MAX_RELAYS, MAX_SHARDS } from "./shards";

export { type SaleStatus, saleStatus };

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Sale ids are slugs (shared/API.md): they name the sale's Durable Object too. */
export const saleIdSchema = z.string().regex(SLUG);

/** Variant ids are slugs unique within their sale (shared/API.md "Sale fields"). */
export const variantIdSchema = z.string().regex(SLUG, "a slug such as us-9");

const epochMillis = z.number().int().min(0).max(8_640_000_000_000_000);
const MAX_STOCK = 100_000_000;

const variantSchema = z.object({
	id: variantIdSchema,
	name: z.string().trim().min(1).max(200),
	totalStock: z.number().int().min(1).max(MAX_STOCK),
});

/** Body of `PUT /admin/sales/{saleId}`; unknown fields are ignored. */
export const saleInputSchema = z
	.object({
		name: z.string().trim().min(1).max(200),
		description: z.string().max(5_000).default(""),
		priceCents: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
		currency: z.string().regex(/^[A-Z]{3}$/, "an ISO 4217 code such as USD"),
		totalStock: z.number().int().min(1).max(MAX_STOCK).optional(),
		startsAt: epochMillis,
		endsAt: epochMillis,
		maxPerUser: z.number().int().min(1).max(1_000).default(1),
		variants: z.array(variantSchema).min(1).max(50).optional(),
		imageUrl: z
			.url({ protocol: /^https$/, error: "an https: URL" })
			.max(2_048)
			.optional(),
		holdSeconds: z.number().int().min(0).max(3_600).optional(),
		mode: z.enum(["first_come", "draw"]).optional(),
		shards: z.number().int().min(1).max(MAX_SHARDS).optional(),
		relays: z.number().int().min(0).max(MAX_RELAYS).optional(),
	})
	.superRefine((sale, ctx) => {
		const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
		if (sale.endsAt <= sale.startsAt) issue("endsAt", "endsAt must be after startsAt");
		// A draw freezes one list of entrants and draws from it: it runs in one object.
		if (sale.mode === "draw" && (sale.shards ?? 1) > 1) issue("shards", "a draw sale runs on 1 shard");
		if (sale.mode === "draw" && (sale.relays ?? 0) > 0)
			issue("relays", "a draw sale takes no purchases to relay");
		const variants = sale.variants;
		if (!variants) {
			if (sale.totalStock === undefined) issue("totalStock", "required when there are no variants");
			return;
		}
		const ids = new Set(variants.map((variant) => variant.id));
		if (ids.size !== variants.length) issue("variants", "variant ids must be unique within the sale");
		const sum = variants.reduce((total, variant) => total + variant.totalStock, 0);
		if (sum > MAX_STOCK) issue("variants", `at most ${MAX_STOCK} units in all`);
		if (sale.totalStock !== undefined && sale.totalStock !== sum) {
			issue("totalStock", `must equal the sum of the variants' stock (${sum}) or be left out`);
		}
	})
	.transform((sale) => ({
		...sale,
		totalStock:
			sale.totalStock ?? (sale.variants ?? []).reduce((total, variant) => total + variant.totalStock, 0),
	}));

export type SaleInput = z.infer<typeof saleInputSchema>;
export type VariantInput = z.infer<typeof variantSchema>;

/** What the sale row stores: the v1 fields, the v2 settings, and the units left in all variants. */
export interface SaleRow {
	id: string;
	name: string;
	description: string;
	priceCents: number;
	currency: string;
	totalStock: number;
	remaining: number;
	startsAt: number;
	endsAt: number;
	maxPerUser: number;
	imageUrl: string | null;
	holdSeconds: number;
	mode: "first_come" | "draw";
	shards: number;
	/** Relay objects per shard that batch its purchases (docs/API.md "Relays"); 0: none. */
	relays: number;
}

/** One variant (size) as the public view shows it. */
export interface VariantView {
	id: string;
	name: string;
	totalStock: number;
	remaining: number;
}

/**
 * A sale as the contract shows it, `status` aside. Per variant, and so in
 * all: `remaining + held + confirmed = totalStock` (shared/API.md "Counting units").
 */
export interface SaleRecord extends SaleRow {
	variants: VariantView[];
	/** Units of held orders. */
	held: number;
	/** Buyers waiting for a unit to come back. */
	waitlist: number;
	/** The payment provider in use, or null for none. */
	paymentProvider: string | null;
}

export interface Sale extends SaleRecord {
	status: SaleStatus;
}

export function withStatus(sale: SaleRecord, now: number): Sale {
	return { ...sale, status: saleStatus(sale, now) };
}

/**
 * Whether units of this sale can still come back to `remaining`: only units
 * of held orders can (they expire or are cancelled); confirmed ones never do.
 */
export function unitsCanReturn(sale: Pick<SaleRecord, "held">): boolean {
	return sale.held > 0;
}
