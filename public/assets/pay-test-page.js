// The test payment page (shared/API.md "Payment providers", provider `test`):
// Pay and Decline report through POST /api/sales/{saleId}/order/test-payment
// with the buyer's session cookie, then Pay goes back to the sale's page as
// Stripe's success URL does (`?checkout=success`), and "Back to the sale" as
// its cancel URL does (`?checkout=cancel`).

const SALE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
function element(id) {
	const found = document.getElementById(id);
	if (!found) throw new Error(`#${id} is missing`);
	return found;
}

/**
 * Reports the outcome; answers what to show, or null once leaving for the sale page.
 * @param {string} saleId
 * @param {"paid" | "declined"} outcome
 * @returns {Promise<string | null>}
 */
async function report(saleId, outcome) {
	const response = await fetch(`/api/sales/${saleId}/order/test-payment`, {
		method: "POST",
		credentials: "same-origin",
		headers: { "content-type": "application/json" },
		body: JSON.stringify({ outcome }),
	});
	if (response.ok && outcome === "paid") {
		location.assign(`/sales/${saleId}?checkout=success`);
		return null;
	}
	if (response.ok) return "Declined. Your order is still held until its deadline.";
	/** @type {{ error?: { message?: string } }} */
	const body = await response.json().catch(() => ({}));
	return body.error?.message ?? `The payment could not be reported (${response.status}).`;
}

const saleId = new URLSearchParams(location.search).get("sale") ?? "";
const result = element("pay-result");
if (SALE_ID.test(saleId)) {
	element("back").setAttribute("href", `/sales/${saleId}?checkout=cancel`);
	for (const [id, outcome] of /** @type {const} */ ([
		["pay", "paid"],
		["decline", "declined"],
	])) {
		element(id).addEventListener("click", async () => {
			result.textContent = await report(saleId, outcome).catch(() => "The network failed; try again.");
		});
	}
} else {
	result.textContent = "This page needs a sale: /pay/test?sale=…";
	for (const id of ["pay", "decline"]) element(id).setAttribute("disabled", "");
}
