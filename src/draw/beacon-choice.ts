import { invalidRequest } from "../http-error.ts";
import type { BeaconKind } from "./draw-v1.ts";

/**
 * The beacon a new draw sale gets from the Worker's configuration:
 * drand-quicknet, unless `DRAW_BEACON=local`, the offline beacon whose
 * secret the operator knows in advance, which is refused (`400`) unless
 * `ALLOW_TEST_PROVIDERS=1`, so a deployment cannot run draws on it by accident.
 */
export function drawBeacon(env: Env, mode: "first_come" | "draw" | undefined): BeaconKind {
	if (env.DRAW_BEACON !== "local") return "drand-quicknet";
	if (mode === "draw" && env.ALLOW_TEST_PROVIDERS !== "1") {
		throw invalidRequest(
			"mode: DRAW_BEACON=local is for development only and needs ALLOW_TEST_PROVIDERS=1; unset DRAW_BEACON to draw with drand",
		);
	}
	return "local";
}
