package io.quiver.worker.model;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.within;

class ModelConfigTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void whenLlama3ConfigIsReadThenRopeScalingAndEosListAreKept() {
		ModelConfig config = ModelConfig.parse(JSON.readTree("""
				{"model_type":"llama","vocab_size":128256,"hidden_size":2048,"intermediate_size":8192,
				 "num_hidden_layers":16,"num_attention_heads":32,"num_key_value_heads":8,"rms_norm_eps":1e-5,
				 "rope_theta":500000.0,"max_position_embeddings":131072,"tie_word_embeddings":true,
				 "rope_scaling":{"rope_type":"llama3","factor":32.0,"low_freq_factor":1.0,"high_freq_factor":4.0,
				 "original_max_position_embeddings":8192},"bos_token_id":128000,"eos_token_id":[128001,128008,128009]}
				"""));
		assertThat(config.headDim()).isEqualTo(64);
		assertThat(config.groupSize()).isEqualTo(4);
		assertThat(config.eosTokenIds()).containsExactly(128001, 128008, 128009);
		assertThat(config.ropeScaling().type()).isEqualTo("llama3");
		double[] inv = config.ropeScaling().inverseFrequencies(64, 500000.0);
		assertThat(inv[0]).isCloseTo(1.0, within(1e-12));
		assertThat(inv[31]).isCloseTo(1.0 / Math.pow(500000.0, 62.0 / 64) / 32, within(1e-15));
	}

	@Test
	void whenQwen2ConfigIsReadThenAttentionHasBiases() {
		ModelConfig config = ModelConfig.parse(JSON.readTree("""
				{"model_type":"qwen2","vocab_size":151936,"hidden_size":896,"intermediate_size":4864,
				 "num_hidden_layers":24,"num_attention_heads":14,"num_key_value_heads":2,"eos_token_id":151645}"""));
		assertThat(config.attentionBias()).isTrue();
		assertThat(config.family()).isEqualTo(ModelFamily.QWEN2);
	}

	@Test
	void whenMistralHasASlidingWindowThenSequencesAreCappedThere() {
		ModelConfig config = ModelConfig.parse(JSON.readTree("""
				{"model_type":"mistral","vocab_size":32000,"hidden_size":4096,"intermediate_size":14336,
				 "num_hidden_layers":32,"num_attention_heads":32,"num_key_value_heads":8,
				 "max_position_embeddings":32768,"sliding_window":4096}"""));
		assertThat(config.servedLength(8192)).isEqualTo(4096);
		assertThat(config.servedLength(2048)).isEqualTo(2048);
	}

	@Test
	void whenTheArchitectureIsUnknownThenLoadingSaysSo() {
		assertThatExceptionOfType(UnsupportedModelException.class).isThrownBy(() -> ModelConfig.parse(JSON.readTree("""
				{"model_type":"gpt2","vocab_size":50257,"hidden_size":768,"intermediate_size":3072,
				 "num_hidden_layers":12,"num_attention_heads":12}"""))).withMessageContaining("gpt2");
	}

}
