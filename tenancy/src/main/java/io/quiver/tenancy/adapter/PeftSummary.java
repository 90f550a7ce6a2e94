package io.quiver.tenancy.adapter;

import java.util.List;

/**
 * What a PEFT LoRA adapter declares about itself.
 *
 * @param rank the LoRA rank {@code r}
 * @param alpha {@code lora_alpha}, or {@code null}
 * @param targetModules the modules it adapts, e.g. {@code q_proj}
 * @param baseModel the base model it was trained on
 */
public record PeftSummary(int rank, Double alpha, List<String> targetModules, String baseModel) {

	public PeftSummary {
		if (rank <= 0 || rank > 1024) {
			throw new IllegalArgumentException("The LoRA rank must lie between 1 and 1024");
		}
		if (targetModules == null || targetModules.isEmpty()) {
			throw new IllegalArgumentException("An adapter must name its target modules");
		}
		if (baseModel == null || baseModel.isBlank()) {
			throw new IllegalArgumentException("An adapter must name its base model");
		}
		targetModules = List.copyOf(targetModules);
	}

}
