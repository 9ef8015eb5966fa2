/** wrangler.toml `[[rules]]` bundle `.toml` files as text modules. */
declare module "*.toml" {
	const text: string;
	export default text;
}
