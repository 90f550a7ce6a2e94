package io.quiver.worker.api;

/**
 * The id the base model is served under; any other {@code model} names an adapter.
 *
 * @param base the base model's id
 */
record ModelIds(String base) {

	/** The adapter a request's {@code model} names, or null for the base model. */
	String adapterOf(String model) {
		return this.base.equals(model) ? null : model;
	}

}
