import { z } from "zod";
import { type SaleStatus, saleStatus } from "../../public/assets/lib/sale-status.js";

export { type SaleStatus, saleStatus };

/** Sale ids are slugs (shared/API.md): they name the sale's Durable Object too. */
export const saleIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/);

const epochMillis = z.number().int().min(0).max(8_640_000_000_000_000);

/** Body of `PUT /admin/sales/{saleId}`; unknown fields are ignored. */
export const saleInputSchema = z
	.object({
		name: z.string().trim().min(1).max(200),
		description: z.string().max(5_000).default(""),
		priceCents: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
		currency: z.string().regex(/^[A-Z]{3}$/, "an ISO 4217 code such as USD"),
		totalStock: z.number().int().min(1).max(100_000_000),
		startsAt: epochMillis,
		endsAt: epochMillis,
		maxPerUser: z.number().int().min(1).max(1_000).default(1),
	})
	.refine((sale) => sale.endsAt > sale.startsAt, {
		message: "endsAt must be after startsAt",
		path: ["endsAt"],
	});

export type SaleInput = z.infer<typeof saleInputSchema>;

/** A sale as the contract shows it, `status` aside. */
export interface SaleRecord extends SaleInput {
	id: string;
	remaining: number;
}

export interface Sale extends SaleRecord {
	status: SaleStatus;
}

export function withStatus(sale: SaleRecord, now: number): Sale {
	return { ...sale, status: saleStatus(sale, now) };
}
