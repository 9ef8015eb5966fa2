// Runs in the page before its own scripts: keeps what its Content-Security-Policy blocks.
globalThis.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
	globalThis.cspViolations.push(`${event.effectiveDirective} ${event.blockedURI}`);
});
