package io.quiver.worker.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A decoder-only transformer's shape, translated once from Hugging Face's
 * {@code config.json}.
 *
 * @param family the architecture family ({@code model_type})
 * @param vocabSize {@code vocab_size}
 * @param hiddenSize {@code hidden_size}
 * @param intermediateSize {@code intermediate_size} (the SwiGLU width)
 * @param numLayers {@code num_hidden_layers}
 * @param numHeads {@code num_attention_heads}
 * @param numKvHeads {@code num_key_value_heads} (grouped-query attention)
 * @param headDim {@code head_dim}, else {@code hidden_size / num_attention_heads}
 * @param rmsNormEps {@code rms_norm_eps}
 * @param ropeTheta {@code rope_theta}
 * @param ropeScaling {@code rope_scaling}
 * @param maxPositionEmbeddings {@code max_position_embeddings}
 * @param tieWordEmbeddings {@code tie_word_embeddings}: the LM head reuses
 * {@code embed_tokens}
 * @param attentionBias whether q/k/v projections carry biases (Qwen2, or
 * {@code attention_bias})
 * @param bosTokenId {@code bos_token_id}, or -1
 * @param eosTokenIds {@code eos_token_id} (one or many)
 * @param slidingWindow {@code sliding_window} where the model uses it (Mistral, or
 * {@code use_sliding_window}), else 0
 */
public record ModelConfig(ModelFamily family, int vocabSize, int hiddenSize, int intermediateSize, int numLayers,
		int numHeads, int numKvHeads, int headDim, double rmsNormEps, double ropeTheta, RopeScaling ropeScaling,
		int maxPositionEmbeddings, boolean tieWordEmbeddings, boolean attentionBias, int bosTokenId,
		List<Integer> eosTokenIds, int slidingWindow) {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	public ModelConfig {
		if (numHeads % numKvHeads != 0) {
			throw new UnsupportedModelException(
					"num_attention_heads " + numHeads + " is not a multiple of num_key_value_heads " + numKvHeads);
		}
		if (headDim % 2 != 0) {
			throw new UnsupportedModelException("head_dim must be even for rotary embeddings");
		}
		eosTokenIds = List.copyOf(eosTokenIds);
	}

	/**
	 * Reads {@code config.json} from a model directory.
	 * @param modelDir the directory
	 * @return the config
	 * @throws IOException if the file cannot be read
	 */
	public static ModelConfig read(Path modelDir) throws IOException {
		Path file = modelDir.resolve("config.json");
		if (!Files.isRegularFile(file)) {
			throw new IOException("no config.json in " + modelDir);
		}
		return parse(JSON.readTree(Files.readString(file)));
	}

	static ModelConfig parse(JsonNode json) {
		ModelFamily family = ModelFamily.of(required(json, "model_type").asString());
		int hidden = required(json, "hidden_size").asInt();
		int heads = required(json, "num_attention_heads").asInt();
		int kvHeads = json.path("num_key_value_heads").asInt(heads);
		int headDim = json.hasNonNull("head_dim") ? json.get("head_dim").asInt() : hidden / heads;
		RopeScaling scaling = RopeScaling.NONE;
		JsonNode rs = json.path("rope_scaling");
		if (rs.isObject()) {
			String type = rs.hasNonNull("rope_type") ? rs.get("rope_type").asString()
					: rs.path("type").asString("default");
			scaling = new RopeScaling(type, rs.path("factor").asDouble(1.0), rs.path("low_freq_factor").asDouble(1.0),
					rs.path("high_freq_factor").asDouble(4.0), rs.path("original_max_position_embeddings").asInt(8192));
		}
		List<Integer> eos = new ArrayList<>();
		JsonNode eosNode = json.path("eos_token_id");
		if (eosNode.isArray()) {
			eosNode.forEach((n) -> eos.add(n.asInt()));
		}
		else if (eosNode.isNumber()) {
			eos.add(eosNode.asInt());
		}
		boolean bias = family == ModelFamily.QWEN2 || json.path("attention_bias").asBoolean(false);
		int window = 0;
		if (json.path("sliding_window").isNumber()
				&& (family == ModelFamily.MISTRAL || json.path("use_sliding_window").asBoolean(false))) {
			window = json.get("sliding_window").asInt();
		}
		return new ModelConfig(family, required(json, "vocab_size").asInt(), hidden,
				required(json, "intermediate_size").asInt(), required(json, "num_hidden_layers").asInt(), heads,
				kvHeads, headDim, json.path("rms_norm_eps").asDouble(1e-6), json.path("rope_theta").asDouble(10000.0),
				scaling, json.path("max_position_embeddings").asInt(2048),
				json.path("tie_word_embeddings").asBoolean(false), bias, json.path("bos_token_id").asInt(-1), eos,
				window);
	}

	private static JsonNode required(JsonNode json, String field) {
		JsonNode node = json.get(field);
		if (node == null || node.isNull()) {
			throw new UnsupportedModelException("config.json lacks " + field);
		}
		return node;
	}

	/**
	 * The longest sequence served: within the sliding window (where the model has one),
	 * full causal attention is what the model computes, so sequences are capped there.
	 * @param requested the configured maximum
	 * @return the maximum this model allows
	 */
	public int servedLength(int requested) {
		int max = Math.min(requested, this.maxPositionEmbeddings);
		return (this.slidingWindow > 0) ? Math.min(max, this.slidingWindow) : max;
	}

	/** Query heads per key/value head. */
	public int groupSize() {
		return this.numHeads / this.numKvHeads;
	}

	/** Width of the fused q, k and v projection output. */
	public int qkvDim() {
		return (this.numHeads + 2 * this.numKvHeads) * this.headDim;
	}

	/** The number of parameters (embeddings counted once when tied). */
	public long parameterCount() {
		long perLayer = (long) this.hiddenSize * this.qkvDim() + (long) this.numHeads * this.headDim * this.hiddenSize
				+ 3L * this.hiddenSize * this.intermediateSize + 2L * this.hiddenSize
				+ (this.attentionBias ? this.qkvDim() : 0);
		long embeddings = (long) this.vocabSize * this.hiddenSize * (this.tieWordEmbeddings ? 1 : 2);
		return perLayer * this.numLayers + embeddings + this.hiddenSize;
	}

}
