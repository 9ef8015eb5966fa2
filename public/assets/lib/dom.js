/**
 * The few DOM helpers every page uses. Text from the API (sale names,
 * descriptions) only ever goes in as text, never as markup.
 */

/**
 * An element the page's markup must have.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
	const node = document.getElementById(id);
	if (!node) throw new Error(`The page has no #${id}`);
	return node;
}

/**
 * @template {keyof HTMLElementTagNameMap} Tag
 * @param {Tag} tag
 * @param {string} className
 * @param {string} [text]
 * @returns {HTMLElementTagNameMap[Tag]}
 */
export function element(tag, className, text) {
	const node = document.createElement(tag);
	if (className) node.className = className;
	if (text !== undefined) node.textContent = text;
	return node;
}
