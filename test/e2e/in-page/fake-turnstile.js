// Served in place of https://challenges.cloudflare.com/turnstile/v0/api.js, which
// this machine cannot reach: Turnstile's client API as the page uses it (render,
// a token per challenge, reset), with tokens numbered so a test can tell them apart.
globalThis.turnstile = {
	render(container, options) {
		const widget = document.createElement("div");
		widget.className = "fake-turnstile";
		widget.textContent = "Turnstile (stand-in)";
		container.append(widget);
		let issued = 0;
		this.challenge = () => setTimeout(() => options.callback(`turnstile-token-${++issued}`), 50);
		this.challenge();
		return "widget-1";
	},
	reset() {
		this.challenge();
	},
};
