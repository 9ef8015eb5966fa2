import type { SaleRecord } from "../domain/sale";
import type { BeaconKind } from "../draw/draw-v1";
import type { Entrant } from "../draw/entrant-list";
import type { Entry } from "./draw-entries";
import type { InvalidRequest } from "./results";

export type { Entry } from "./draw-entries";

/** What `SaleGate.enter` answers: the buyer's entry (`created: false` on a retry), or why not. */
export type EntryResult =
	| { ok: true; entry: Entry; created: boolean }
	| { ok: false; reason: "sale_not_found" | "not_a_draw" | "not_started" | "ended"; sale?: SaleRecord }
	| InvalidRequest;

/** Where a draw is: taking entries, frozen and waiting for its beacon, or drawn. */
export type DrawStatus = "open" | "waiting" | "drawn";

/** The draw as `GET /api/sales/{saleId}/draw` publishes it (shared/API.md "Draws"). */
export interface DrawView {
	beacon: BeaconKind;
	/** The drand chain's hash; null for the local beacon. */
	chainHash: string | null;
	round: number;
	status: DrawStatus;
	/** Local beacon only: `hex(SHA-256(secret))`, shown from creation. */
	commitment?: string;
	/** From `endsAt`: how many entered, and the root of the frozen list. */
	entrants?: number;
	entrantsRoot?: string;
	/** Once drawn. */
	randomness?: string;
	signature?: string;
	winners?: string[];
	runnersUp?: string[];
	algorithm?: string;
}

/** What the draw calls answer when the sale is not there or not a draw. */
export type DrawRefusal = { ok: false; reason: "sale_not_found" | "not_a_draw" };

/** One page of the frozen entrant list, or why there is none yet. */
export type EntrantsPage =
	| { ok: true; entrants: Entrant[]; nextCursor: string | null }
	| DrawRefusal
	| { ok: false; reason: "not_started"; sale: SaleRecord };

/** The beacon a new draw sale gets, chosen by the Worker's configuration. */
export type BeaconChoice = BeaconKind;
