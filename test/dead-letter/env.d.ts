declare namespace Cloudflare {
	interface Env {
		/** The dead-letter inbox worker: GET answers the body of every message that reached the DLQ. */
		DEAD_LETTERS: Fetcher;
		/** The order consumer's max retries in the dead-letter project. */
		TEST_MAX_RETRIES: number;
	}
}
