/** One sale's figures, as `GET /admin/metrics` exposes them. */
export interface SaleMetrics {
	saleId: string;
	sold: number;
	remaining: number;
	ordersPending: number;
	outcomes: Record<string, number>;
}

type Sample = [labels: Record<string, string>, value: number];

const FAMILIES: {
	name: string;
	type: "gauge" | "counter";
	help: string;
	samples: (sale: SaleMetrics) => Sample[];
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
		name: "doorbuster_purchase_outcomes_total",
		type: "counter",
		help: "Purchase attempts by outcome.",
		samples: (sale) => Object.entries(sale.outcomes).map(([outcome, count]) => [{ outcome }, count]),
	},
];

/**
 * Renders the Prometheus text exposition format (version 0.0.4): HELP and
 * TYPE once per family, then one sample a line, every sample labelled with
 * its sale, label values escaped.
 */
export function renderMetrics(sales: readonly SaleMetrics[]): string {
	const lines: string[] = [];
	for (const family of FAMILIES) {
		lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
		for (const sale of sales) {
			for (const [labels, value] of family.samples(sale)) {
				const pairs = Object.entries({ sale: sale.saleId, ...labels }).map(
					([name, text]) => `${name}="${escapeLabel(text)}"`,
				);
				lines.push(`${family.name}{${pairs.join(",")}} ${value}`);
			}
		}
	}
	return `${lines.join("\n")}\n`;
}

function escapeLabel(value: string): string {
	return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}
