/** One shard's figures, as the admin stats give them (shared/API.md "Admin additions"). */
export interface ShardMetrics {
	remaining: number;
	sold: number;
	held: number;
}

/** One sale's figures, as `GET /admin/metrics` exposes them; `up` is false when its object could not be read. */
export type SaleMetrics =
	| { saleId: string; up: false }
	| {
			saleId: string;
			up: true;
			sold: number;
			remaining: number;
			ordersPending: number;
			/** Units of orders the order book (D1) records as held. */
			heldUnits: number;
			/** Paid amounts of confirmed orders the order book (D1) records, in cents. */
			revenueCents: number;
			/** Buyers waiting for a held unit to come back; absent for a sale without sizes or holds. */
			waitlist?: number;
			/** Refunds owed and not yet taken by the payment provider; absent for a sale without holds. */
			refundsPending?: number;
			/** Refunds the payment provider refused for good; absent for a sale without holds. */
			refundsFailed?: number;
			/** Each shard's figures, index = shard number; absent for a sale of one shard. */
			shards?: ShardMetrics[];
			/** Calls from shards the sale's coordinator has served; absent for a sale of one shard. */
			coordinatorRequests?: number;
			outcomes: Record<string, number>;
	  };

type ReadableSale = Extract<SaleMetrics, { up: true }>;

type Sample = [labels: Record<string, string>, value: number];

const FAMILIES: {
	name: string;
	type: "gauge" | "counter";
	help: string;
	samples: (sale: ReadableSale) => Sample[];
}[] = [
	{
		name: "doorbuster_units_sold",
		type: "gauge",
		help: "Units taken by confirmed orders.",
		samples: (sale) => [[{}, sale.sold]],
	},
	{
		name: "doorbuster_units_remaining",
		type: "gauge",
		help: "Units still for sale.",
		samples: (sale) => [[{}, sale.remaining]],
	},
	{
		name: "doorbuster_orders_pending",
		type: "gauge",
		help: "Confirmed orders not yet in the order book (D1).",
		samples: (sale) => [[{}, sale.ordersPending]],
	},
	{
		name: "doorbuster_units_held",
		type: "gauge",
		help: "Units taken by held (unpaid) orders, as recorded in the order book (D1).",
		samples: (sale) => [[{}, sale.heldUnits]],
	},
	{
		name: "doorbuster_revenue_cents",
		type: "gauge",
		help: "Amounts paid for confirmed orders, in cents of the sale's currency, as recorded in the order book (D1).",
		samples: (sale) => [[{}, sale.revenueCents]],
	},
	{
		name: "doorbuster_waitlist_buyers",
		type: "gauge",
		help: "Buyers waiting for a held unit of a sold-out size to come back.",
		samples: (sale) => (sale.waitlist === undefined ? [] : [[{}, sale.waitlist]]),
	},
	{
		name: "doorbuster_refunds_pending",
		type: "gauge",
		help: "Refunds owed to buyers whose payment could not confirm an order, not yet taken by the payment provider.",
		samples: (sale) => (sale.refundsPending === undefined ? [] : [[{}, sale.refundsPending]]),
	},
	{
		name: "doorbuster_refunds_failed",
		type: "gauge",
		help: "Refunds the payment provider refused for good; each needs a person.",
		samples: (sale) => (sale.refundsFailed === undefined ? [] : [[{}, sale.refundsFailed]]),
	},
	{
		name: "doorbuster_shard_units_remaining",
		type: "gauge",
		help: "Units lent to a shard of a sharded sale and not taken there.",
		samples: (sale) => perShard(sale, (shard) => shard.remaining),
	},
	{
		name: "doorbuster_shard_units_sold",
		type: "gauge",
		help: "Units a shard of a sharded sale has sold: held + confirmed.",
		samples: (sale) => perShard(sale, (shard) => shard.sold),
	},
	{
		name: "doorbuster_shard_units_held",
		type: "gauge",
		help: "Units of held (unpaid) orders in a shard of a sharded sale.",
		samples: (sale) => perShard(sale, (shard) => shard.held),
	},
	{
		name: "doorbuster_coordinator_requests_total",
		type: "counter",
		help: "Calls from its shards a sharded sale's coordinator has served: lease requests and figure reports.",
		samples: (sale) => (sale.coordinatorRequests === undefined ? [] : [[{}, sale.coordinatorRequests]]),
	},
	{
		name: "doorbuster_purchase_outcomes_total",
		type: "counter",
		help: "Purchase attempts by outcome.",
		samples: (sale) => Object.entries(sale.outcomes).map(([outcome, count]) => [{ outcome }, count]),
	},
];

/** One sample per shard, labelled with the shard's number; none for a sale of one shard. */
function perShard(sale: ReadableSale, figure: (shard: ShardMetrics) => number): Sample[] {
	return (sale.shards ?? []).map((shard, index) => [{ shard: String(index) }, figure(shard)]);
}

/**
 * Renders the Prometheus text exposition format (version 0.0.4): HELP and
 * TYPE once per family, then one sample a line, every sample labelled with
 * its sale, label values escaped.
 */
export function renderMetrics(sales: readonly SaleMetrics[]): string {
	const readable = sales.filter((sale) => sale.up);
	const lines: string[] = [];
	const family = (name: string, type: string, help: string, samples: [string, Sample][]) => {
		lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
		for (const [saleId, [labels, value]] of samples) {
			const pairs = Object.entries({ sale: saleId, ...labels }).map(
				([label, text]) => `${label}="${escapeLabel(text)}"`,
			);
			lines.push(`${name}{${pairs.join(",")}} ${value}`);
		}
	};
	// Like Prometheus' own `up`: a sale whose object could not be read during
	// this scrape is 0 here and absent from the other families.
	family(
		"doorbuster_sale_up",
		"gauge",
		"1 if the sale's figures could be read for this scrape, else 0.",
		sales.map((sale) => [sale.saleId, [{}, sale.up ? 1 : 0]]),
	);
	for (const { name, type, help, samples } of FAMILIES) {
		family(
			name,
			type,
			help,
			readable.flatMap((sale) => samples(sale).map((sample): [string, Sample] => [sale.saleId, sample])),
		);
	}
	return `${lines.join("\n")}\n`;
}

function escapeLabel(value: string): string {
	return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}
