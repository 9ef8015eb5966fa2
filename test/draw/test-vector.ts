/** The test vector of doorbuster-draw-v1, copied from shared/API.md "Draws". */
export const TEST_VECTOR = {
	saleId: "vector-drop",
	variants: [
		{ id: "us-9", totalStock: 2 },
		{ id: "us-10", totalStock: 1 },
	],
	entries: [
		{ userId: "alice", nonce: "00112233445566778899aabbccddeeff", variantId: "us-9", quantity: 1 },
		{ userId: "bob", nonce: "ffeeddccbbaa99887766554433221100", variantId: "us-9", quantity: 2 },
		{ userId: "carol", nonce: "0102030405060708090a0b0c0d0e0f10", variantId: "us-10", quantity: 1 },
		{ userId: "dave", nonce: "1112131415161718191a1b1c1d1e1f20", variantId: "us-9", quantity: 1 },
	],
	/** The randomness of quicknet round 20791007. */
	randomness: "f4ad45db792e14676c62891989b804504e09bf0029cd472143d958649ab3c88a",
	round: 20791007,
	entrantsRoot: "1e37daa6b801caa1cc64ffa609b3ce81fd501c0fc8827ae3ba41f31edeecae79",
	/** Alice's, carol's and dave's commitments, in drawn order. */
	winners: [
		"6ddf09fd921d0cf072849063d98d7f8011ec868de061dc20551d893b6b1c17ef",
		"333e74cd42101e58276782918d9936cd011ff719c5bfa46fa7244bfee7c86c9f",
		"92db552828659ec9a83bb358734ae847f21f911fc98d68ed3c7f64169ca656f1",
	],
};

/** The stock of each variant of the test vector's sale. */
export const VECTOR_STOCK: Record<string, number> = Object.fromEntries(
	TEST_VECTOR.variants.map((variant) => [variant.id, variant.totalStock]),
);
