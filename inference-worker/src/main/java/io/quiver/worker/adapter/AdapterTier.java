package io.quiver.worker.adapter;

/**
 * Where an adapter is held.
 */
public enum AdapterTier {

	/** Being read and checked. */
	LOADING,

	/** Fused factors in host memory (Java heap). */
	HOST,

	/** Tensors ready for the forward pass. */
	DEVICE

}
