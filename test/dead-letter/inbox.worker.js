/**
 * Stands in for whoever drains doorbuster-orders-dlq: it consumes the
 * dead-letter queue (acking by returning) and shows the test, over a service
 * binding, the body of every message that arrived there. It runs in its own
 * isolate in the same workerd, which keeps this list for the whole test run.
 */
const received = [];

export default {
	queue(batch) {
		for (const message of batch.messages) received.push(message.body);
	},
	fetch() {
		return Response.json(received);
	},
};
