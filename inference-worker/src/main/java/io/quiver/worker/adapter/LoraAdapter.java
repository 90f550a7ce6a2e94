package io.quiver.worker.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * An adapter's fused factors as tensors, ready for the forward pass (the device tier).
 */
public final class LoraAdapter implements AutoCloseable {

	private final LoraWeights weights;

	private final NDManager manager;

	// [layers][group] of [in, k·r]: lora_A.weightᵀ of each module in the group, side by
	// side
	private final NDArray[][] a;

	// [layers][group] of [k·r, out]: scale · lora_B.weightᵀ, block-diagonal over the
	// group
	private final NDArray[][] b;

	/**
	 * Copies host factors into tensors.
	 * @param weights the host factors
	 * @param parent the engine's manager
	 */
	public LoraAdapter(LoraWeights weights, NDManager parent) {
		this.weights = weights;
		this.manager = parent.newSubManager();
		int layers = weights.a().length;
		int groups = LoraGroup.values().length;
		this.a = new NDArray[layers][groups];
		this.b = new NDArray[layers][groups];
		for (int layer = 0; layer < layers; layer++) {
			for (int g = 0; g < groups; g++) {
				if (weights.a()[layer][g] != null) {
					this.a[layer][g] = this.manager.create(weights.a()[layer][g], new Shape(weights.aShape()[g]));
					this.b[layer][g] = this.manager.create(weights.b()[layer][g], new Shape(weights.bShape()[g]));
				}
			}
		}
	}

	public String id() {
		return this.weights.id();
	}

	public LoraWeights weights() {
		return this.weights;
	}

	/**
	 * Adds {@code x·a·b} for this adapter's factors of one group to {@code y}, in place.
	 * @param layer the layer
	 * @param group the projection group
	 * @param x the group's input rows, {@code [rows, in]}
	 * @param y the group's output rows (a view into the batch's output),
	 * {@code [rows, out]}
	 */
	public void addDelta(int layer, LoraGroup group, NDArray x, NDArray y) {
		NDArray groupA = this.a[layer][group.ordinal()];
		if (groupA != null) {
			y.addi(x.matMul(groupA).matMul(this.b[layer][group.ordinal()]));
		}
	}

	@Override
	public void close() {
		this.manager.close();
	}

}
