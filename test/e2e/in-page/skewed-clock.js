// Runs in the page before its own scripts: the device's wall clock is wrong by
// `globalThis.deviceClockSkewMs`, and so is everything built on it (Date and
// performance.timeOrigin). performance.now() stays what it is, as on a real
// device: a monotonic clock since the page started.
// Also records, on the true clock, the moment the Buy button opens.
{
	const skew = globalThis.deviceClockSkewMs;
	const RealDate = Date;
	const realNow = RealDate.now.bind(RealDate);

	class SkewedDate extends RealDate {
		constructor(...args) {
			if (args.length === 0) super(realNow() + skew);
			else super(...args);
		}

		static now() {
			return realNow() + skew;
		}
	}
	globalThis.Date = SkewedDate;
	const skewedOrigin = performance.timeOrigin + skew;
	Object.defineProperty(performance, "timeOrigin", { get: () => skewedOrigin });

	document.addEventListener("DOMContentLoaded", () => {
		const button = document.getElementById("buy");
		if (!button) return;
		new MutationObserver(() => {
			if (button.getAttribute("aria-disabled") === "false" && globalThis.buyOpenedAt === undefined) {
				globalThis.buyOpenedAt = realNow();
			}
		}).observe(button, { attributes: true, attributeFilter: ["aria-disabled"] });
	});
}
