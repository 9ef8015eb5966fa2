import { formatClockTime, formatCount } from "/assets/lib/format.js";

/**
 * Orders (or a draw's entries) per second over a sale's life, drawn as inline
 * SVG bars. The SVG is drawn at the size it is shown, so its text stays
 * legible on a phone.
 *
 * @typedef {{ startsAt: number, bucketMs: number, confirmed: number[], entered?: number[] }} Series
 *   the admin overview's series: `entered` is there for draw sales only
 * @typedef {{ counts: number[], label: string, one: string, many: string }} Plotted
 *   which of the series' counts to draw, over its buckets: `label` names the rate
 *   ("Orders per second"), `one` and `many` what is counted ("order", "orders")
 */

const SVG = "http://www.w3.org/2000/svg";
const HEIGHT = 200;
const PAD = { top: 14, right: 10, bottom: 26, left: 44 };
/** Narrower bars than this are merged, so a long sale still reads as a shape. */
const MIN_BAR_PX = 4;
/** A young sale fills the chart from the left instead of showing a few huge bars. */
const MIN_SLOTS = 60;

/**
 * @param {SVGSVGElement} svg
 * @param {Series} series
 * @param {Plotted} plotted
 * @param {string} emptyText shown when there is nothing to plot yet
 * @returns {string} a summary of the chart for assistive technology
 */
export function drawChart(svg, series, plotted, emptyText) {
	const width = Math.max(240, Math.round(svg.getBoundingClientRect().width));
	svg.setAttribute("viewBox", `0 0 ${width} ${HEIGHT}`);
	svg.setAttribute("height", String(HEIGHT));
	const plotWidth = width - PAD.left - PAD.right;
	const plotHeight = HEIGHT - PAD.top - PAD.bottom;
	const bars = perSecondBars(series, plotted.counts, Math.max(1, Math.floor(plotWidth / MIN_BAR_PX)));
	const peak = bars.reduce((best, bar) => (bar.rate > best.rate ? bar : best), {
		rate: 0,
		at: series.startsAt,
	});
	const top = niceCeiling(peak.rate);
	const y = (/** @type {number} */ rate) => PAD.top + plotHeight - (rate / top) * plotHeight;

	/** @type {SVGElement[]} */
	const nodes = [];
	for (const rate of [0, top / 2, top]) {
		nodes.push(
			shape("line", { class: "chart-grid", x1: PAD.left, x2: width - PAD.right, y1: y(rate), y2: y(rate) }),
		);
		nodes.push(label(formatRate(rate), PAD.left - 6, y(rate) + 4, "end"));
	}
	const total = plotted.counts.reduce((sum, n) => sum + n, 0);
	if (total === 0) {
		nodes.push(label(emptyText, PAD.left + plotWidth / 2, PAD.top + plotHeight / 2, "middle", "chart-empty"));
	}
	const slot = plotWidth / Math.max(bars.length, Math.min(MIN_SLOTS, Math.floor(plotWidth / MIN_BAR_PX)));
	bars.forEach((bar, index) => {
		if (bar.rate === 0) return;
		const x = PAD.left + index * slot;
		nodes.push(
			shape("rect", {
				class: "chart-bar",
				x: x + (slot > 3 ? 0.5 : 0),
				y: y(bar.rate),
				width: Math.max(1, slot - (slot > 3 ? 1 : 0)),
				height: Math.max(1, y(0) - y(bar.rate)),
			}),
		);
	});
	if (bars.length > 0) {
		nodes.push(label(formatClockTime(series.startsAt), PAD.left, HEIGHT - 8, "start"));
		const lastX = PAD.left + bars.length * slot;
		// The latest moment sits under the newest bar, unless it would overlap the first label.
		if (lastX - PAD.left > 140) {
			const last = bars.at(-1)?.end ?? series.startsAt;
			nodes.push(label(formatClockTime(last), Math.min(lastX, width - PAD.right), HEIGHT - 8, "end"));
		}
	}
	const summary =
		total === 0
			? `${plotted.label}: ${emptyText}`
			: `${plotted.label} since ${formatClockTime(series.startsAt)}: ${formatCount(total)} ${total === 1 ? plotted.one : plotted.many} in all, peak ${formatRate(peak.rate)} per second at ${formatClockTime(peak.at)}.`;
	const title = shape("title", {});
	title.textContent = summary;
	svg.replaceChildren(title, ...nodes);
	return summary;
}

/**
 * Counts per bucket of the series merged into at most `maxBars` bars, each
 * the average rate over the seconds it covers.
 * @param {Pick<Series, "startsAt" | "bucketMs">} series
 * @param {number[]} counts
 * @param {number} maxBars
 * @returns {{ rate: number, at: number, end: number }[]}
 */
export function perSecondBars({ startsAt, bucketMs }, counts, maxBars) {
	const group = Math.max(1, Math.ceil(counts.length / maxBars));
	const bars = [];
	for (let first = 0; first < counts.length; first += group) {
		const slice = counts.slice(first, first + group);
		const n = slice.reduce((sum, count) => sum + count, 0);
		const at = startsAt + first * bucketMs;
		bars.push({ rate: n / ((slice.length * bucketMs) / 1000), at, end: at + slice.length * bucketMs });
	}
	return bars;
}

/**
 * 1, 2, 5, 10, 20, 50, … at or above the value, so the axis reads in round numbers.
 * @param {number} value
 */
function niceCeiling(value) {
	if (value <= 1) return 1;
	const magnitude = 10 ** Math.floor(Math.log10(value));
	const step = [1, 2, 5, 10].find((factor) => factor * magnitude >= value) ?? 10;
	return step * magnitude;
}

/** @param {number} rate */
function formatRate(rate) {
	return new Intl.NumberFormat(undefined, { maximumFractionDigits: rate < 10 ? 1 : 0 }).format(rate);
}

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attributes
 * @returns {SVGElement}
 */
function shape(tag, attributes) {
	const node = document.createElementNS(SVG, tag);
	for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
	return node;
}

/**
 * @param {string} text
 * @param {number} x
 * @param {number} y
 * @param {"start" | "middle" | "end"} anchor
 * @param {string} [className]
 */
function label(text, x, y, anchor, className = "chart-label") {
	const node = shape("text", { class: className, x, y, "text-anchor": anchor });
	node.textContent = text;
	return node;
}
