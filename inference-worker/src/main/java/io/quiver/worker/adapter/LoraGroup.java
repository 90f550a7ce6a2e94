package io.quiver.worker.adapter;

import java.util.List;

/**
 * Projections that read the same input, so their LoRA factors are fused and applied with
 * one pair of matmuls.
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

	LoraGroup(List<String> modules) {
		this.modules = modules;
	}

	public List<String> modules() {
		return this.modules;
	}

}
