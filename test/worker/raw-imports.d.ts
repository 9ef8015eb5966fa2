/** Files read as text by the tests, through Vite's `?raw` suffix. */
declare module "*.md?raw" {
	const text: string;
	export default text;
}
