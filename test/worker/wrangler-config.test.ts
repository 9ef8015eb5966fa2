import { parse } from "jsonc-parser";
import { describe, expect, it } from "vitest";
import wranglerConfig from "../../wrangler.jsonc";

interface Deployment {
	vars: Record<string, string>;
	secrets: { required: string[] };
	durable_objects: { bindings: { name: string; class_name: string }[] };
	d1_databases: { binding: string; database_name: string; migrations_dir: string }[];
	queues: {
		producers: { binding: string; queue: string }[];
		consumers: { queue: string; dead_letter_queue: string; [setting: string]: unknown }[];
	};
	ratelimits: { name: string; namespace_id: string; simple: { limit: number; period: number } }[];
}

const config = parse(wranglerConfig) as Deployment & { env: Record<string, Deployment> };
const environments = Object.entries(config.env);
const deployments: [string, Deployment][] = [["top level", config], ...environments];

/** Everything a deployment names that lives in the Cloudflare account, and so must be its own. */
function resourcesOf(deployment: Deployment): string[] {
	return [
		...deployment.d1_databases.map((db) => `d1:${db.database_name}`),
		...deployment.queues.producers.map((producer) => `queue:${producer.queue}`),
		...deployment.queues.consumers.map((consumer) => `queue:${consumer.dead_letter_queue}`),
		...deployment.ratelimits.map((limiter) => `ratelimit:${limiter.namespace_id}`),
	];
}

describe("wrangler.jsonc", () => {
	it("has a staging and a production environment", () => {
		expect(Object.keys(config.env).sort()).toEqual(["production", "staging"]);
	});

	// Bindings, vars and secrets are not inherited by an environment, so each
	// restates them: a var or binding added at the top level only would be
	// undefined in the deployed Worker.
	it.each(environments)("%s declares every var, secret and binding the top level does", (_, env) => {
		expect(Object.keys(env.vars).sort()).toEqual(Object.keys(config.vars).sort());
		expect(env.secrets.required.sort()).toEqual([...config.secrets.required].sort());
		expect(env.durable_objects.bindings).toEqual(config.durable_objects.bindings);
		expect(env.d1_databases.map(({ database_name, ...rest }) => rest)).toEqual(
			config.d1_databases.map(({ database_name, ...rest }) => rest),
		);
		expect(env.queues.producers.map((producer) => producer.binding)).toEqual(
			config.queues.producers.map((producer) => producer.binding),
		);
		const settings = ({ queue, dead_letter_queue, ...rest }: Deployment["queues"]["consumers"][number]) =>
			rest;
		expect(env.queues.consumers.map(settings)).toEqual(config.queues.consumers.map(settings));
	});

	// src/rate-limit.ts sends the top level's periods as Retry-After in every deployment.
	it.each(environments)("%s limits at the same rates and periods as the top level", (_, env) => {
		const rates = (deployment: Deployment) =>
			deployment.ratelimits.map((limiter) => ({ name: limiter.name, ...limiter.simple }));
		expect(rates(env)).toEqual(rates(config));
	});

	it("gives each deployment a database, queues and rate-limit namespaces of its own", () => {
		const all = deployments.flatMap(([, deployment]) => resourcesOf(deployment));
		expect(new Set(all).size).toBe(all.length);
	});

	it("consumes, in each deployment, the queue that deployment produces to", () => {
		for (const [, deployment] of deployments) {
			expect(deployment.queues.consumers.map((consumer) => consumer.queue)).toEqual(
				deployment.queues.producers.map((producer) => producer.queue),
			);
		}
	});
});
