package io.quiver.tenancy.adapter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks that uploaded files form a PEFT LoRA adapter a worker can load: an
 * {@code adapter_config.json} of type LORA, and an {@code adapter_model.safetensors}
 * whose {@code lora_A} / {@code lora_B} tensors agree with the declared rank and, where
 * the base model's dimensions are known, with them.
 */
final class PeftValidator {

	/** A safetensors header larger than this is not an adapter's. */
	private static final long MAX_HEADER_BYTES = 64L * 1024 * 1024;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private PeftValidator() {
	}

	/**
	 * @param config the bytes of {@code adapter_config.json}
	 * @param baseModelOverride the base model id to record instead of
	 * {@code base_model_name_or_path}, or {@code null}
	 * @return what the config declares
	 */
	static PeftSummary readConfig(byte[] config, String baseModelOverride) {
		JsonNode root;
		try {
			root = JSON.readTree(config);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("adapter_config.json is not valid JSON");
		}
		if (root == null || !root.isObject()) {
			throw new IllegalArgumentException("adapter_config.json must be a JSON object");
		}
		if (!"LORA".equalsIgnoreCase(root.path("peft_type").asString(""))) {
			throw new IllegalArgumentException("adapter_config.json must declare peft_type LORA");
		}
		int rank = root.path("r").asInt(0);
		Double alpha = root.has("lora_alpha") ? root.path("lora_alpha").asDouble() : null;
		List<String> targets = new ArrayList<>();
		JsonNode modules = root.path("target_modules");
		if (modules.isArray()) {
			modules.forEach((module) -> targets.add(module.asString()));
		}
		else if (modules.isString()) {
			targets.add(modules.asString());
		}
		String base = (baseModelOverride != null && !baseModelOverride.isBlank()) ? baseModelOverride
				: root.path("base_model_name_or_path").asString("");
		return new PeftSummary(rank, alpha, targets, base);
	}

	/**
	 * @param weights the stored {@code adapter_model.safetensors}
	 * @param peft what the config declares
	 * @param base the base model's dimensions, or {@code null} when unknown
	 * @throws IllegalArgumentException if the file is not a safetensors file or its
	 * shapes contradict the config or the base model
	 */
	static void checkWeights(Path weights, PeftSummary peft, AdapterProperties.BaseModelShape base) throws IOException {
		JsonNode header = readHeader(weights);
		int loraTensors = 0;
		for (Map.Entry<String, JsonNode> entry : header.properties()) {
			String name = entry.getKey();
			if (name.equals("__metadata__")) {
				continue;
			}
			JsonNode shape = entry.getValue().path("shape");
			if (!shape.isArray()) {
				throw new IllegalArgumentException("Tensor " + name + " has no shape");
			}
			boolean a = name.contains("lora_A");
			boolean b = name.contains("lora_B");
			if (!a && !b) {
				continue;
			}
			loraTensors++;
			if (shape.size() != 2) {
				throw new IllegalArgumentException("Tensor " + name + " must be two-dimensional");
			}
			// PEFT stores lora_A as [r, in_features] and lora_B as [out_features, r].
			int rows = shape.get(0).asInt();
			int columns = shape.get(1).asInt();
			int rank = a ? rows : columns;
			if (rank != peft.rank()) {
				throw new IllegalArgumentException(
						"Tensor " + name + " has rank " + rank + " but adapter_config.json declares r=" + peft.rank());
			}
			if (base != null) {
				checkAgainstBase(name, a ? columns : rows, a, base);
			}
		}
		if (loraTensors == 0) {
			throw new IllegalArgumentException("adapter_model.safetensors holds no lora_A/lora_B tensors");
		}
	}

	private static void checkAgainstBase(String name, int features, boolean input,
			AdapterProperties.BaseModelShape base) {
		int expected = 0;
		if (input && (name.contains("q_proj") || name.contains("k_proj") || name.contains("v_proj")
				|| name.contains("gate_proj") || name.contains("up_proj"))) {
			expected = base.hiddenSize();
		}
		else if (!input && (name.contains("o_proj") || name.contains("down_proj"))) {
			expected = base.hiddenSize();
		}
		else if (input && name.contains("down_proj")) {
			expected = base.intermediateSize();
		}
		else if (!input && (name.contains("gate_proj") || name.contains("up_proj"))) {
			expected = base.intermediateSize();
		}
		if (expected > 0 && features != expected) {
			throw new IllegalArgumentException(
					"Tensor " + name + " has " + features + " features where the base model has " + expected);
		}
	}

	private static JsonNode readHeader(Path weights) throws IOException {
		try (FileChannel channel = FileChannel.open(weights, StandardOpenOption.READ)) {
			long size = channel.size();
			ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
			if (size < 8 || channel.read(length, 0) != 8) {
				throw new IllegalArgumentException("adapter_model.safetensors is not a safetensors file");
			}
			long headerBytes = length.flip().getLong();
			if (headerBytes <= 1 || headerBytes > MAX_HEADER_BYTES || 8 + headerBytes > size) {
				throw new IllegalArgumentException("adapter_model.safetensors has a malformed header");
			}
			ByteBuffer header = ByteBuffer.allocate((int) headerBytes);
			channel.read(header, 8);
			JsonNode root;
			try (InputStream in = new java.io.ByteArrayInputStream(header.array())) {
				root = JSON.readTree(in);
			}
			catch (JacksonException ex) {
				throw new IllegalArgumentException("adapter_model.safetensors has a malformed header");
			}
			if (root == null || !root.isObject()) {
				throw new IllegalArgumentException("adapter_model.safetensors has a malformed header");
			}
			long data = size - 8 - headerBytes;
			for (Map.Entry<String, JsonNode> entry : root.properties()) {
				JsonNode offsets = entry.getValue().path("data_offsets");
				if (!entry.getKey().equals("__metadata__")
						&& (!offsets.isArray() || offsets.size() != 2 || offsets.get(1).asLong() > data)) {
					throw new IllegalArgumentException("Tensor " + entry.getKey() + " lies outside the file");
				}
			}
			return root;
		}
	}

}
