// Runs in the page before its own scripts: keeps every text the sale's clock
// shows, so that a state shown only briefly can still be asserted on.
globalThis.clockTexts = [];
new MutationObserver(() => {
	const text = document.getElementById("countdown")?.textContent ?? "";
	if (globalThis.clockTexts.at(-1) !== text) globalThis.clockTexts.push(text);
}).observe(document, { subtree: true, childList: true, characterData: true });
