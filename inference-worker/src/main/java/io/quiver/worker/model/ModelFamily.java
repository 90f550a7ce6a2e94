package io.quiver.worker.model;

/**
 * The decoder-only families the engine runs; they share one forward pass and differ only
 * in what {@link ModelConfig} records (biases, tied embeddings, rope scaling).
 */
public enum ModelFamily {

	/** {@code LlamaForCausalLM}: Llama 2/3, SmolLM2, TinyLlama. */
	LLAMA,

	/** {@code Qwen2ForCausalLM}: q/k/v projections carry biases. */
	QWEN2,

	/** {@code MistralForCausalLM}: Llama's layout. */
	MISTRAL;

	static ModelFamily of(String modelType) {
		return switch (modelType) {
			case "llama" -> LLAMA;
			case "qwen2" -> QWEN2;
			case "mistral" -> MISTRAL;
			default -> throw new UnsupportedModelException(
					"unsupported model_type " + modelType + " (supported: llama, qwen2, mistral)");
		};
	}

}
