// Runs in the page before its own scripts. `globalThis.sleepDevice(ms)` acts
// out a device that slept for `ms`: the wall clock (Date) went on, but
// performance.now() did not count the sleep, as on the major platforms, whose
// monotonic clock stops while the device sleeps.
{
	const awakeNow = performance.now.bind(performance);
	let slept = 0;
	performance.now = () => awakeNow() - slept;
	globalThis.sleepDevice = (ms) => {
		slept += ms;
	};
}
