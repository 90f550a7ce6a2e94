package io.quiver.worker.adapter;

import java.util.List;

/**
 * Projections that read the same input, so their LoRA A factors are stacked and applied
 * with one matmul; their outputs sit side by side in the fused base projection.
 */
public enum LoraGroup {

	/**
	 * {@code q_proj}, {@code k_proj}, {@code v_proj}: read the attention norm's output.
	 */
	QKV(List.of("q_proj", "k_proj", "v_proj")),

	/** {@code o_proj}: reads the attention output. */
	O(List.of("o_proj")),

	/** {@code gate_proj}, {@code up_proj}: read the MLP norm's output. */
	GATE_UP(List.of("gate_proj", "up_proj")),

	/** {@code down_proj}: reads the SwiGLU output. */
	DOWN(List.of("down_proj"));

	private final List<String> modules;

	private final int[] moduleIndices;

	LoraGroup(List<String> modules) {
		this.modules = modules;
		this.moduleIndices = modules.stream().mapToInt(LoraWeights::moduleIndex).toArray();
	}

	public List<String> modules() {
		return this.modules;
	}

	/** The modules' indices in {@link LoraWeights#MODULES}. */
	int[] moduleIndices() {
		return this.moduleIndices;
	}

}
