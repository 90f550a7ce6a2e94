package io.quiver.worker.adapter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.quiver.worker.model.ModelConfig;
import io.quiver.worker.weights.DType;
import io.quiver.worker.weights.SafeTensorsFile;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A PEFT LoRA adapter read into host memory and checked against the base model: for each
 * layer and each of the seven projections it targets, {@code lora_A.weight} and
 * {@code lora_B.weight} as stored (widened to fp32), and the scale to apply to their
 * product.
 *
 * @param id the id it is served under
 * @param rank {@code r}
 * @param scale {@code lora_alpha / r}, or {@code lora_alpha / sqrt(r)} with rsLoRA
 * @param targetModules {@code target_modules}
 * @param a {@code [layers][module]} of {@code [r, in]} row-major ({@code lora_A.weight}),
 * or null where the module is not targeted; modules in {@link #MODULES} order
 * @param b {@code [layers][module]} of {@code [out, r]} row-major
 * ({@code lora_B.weight}), or null
 * @param bf16 whether the file stores every factor in bf16, so that each of them is
 * exactly a bf16 number
 */
public record LoraWeights(String id, int rank, double scale, Set<String> targetModules, float[][][] a, float[][][] b,
		boolean bf16) {

	/** The projections in the order {@link #a} and {@link #b} index them. */
	public static final List<String> MODULES = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
			"down_proj");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** Bytes the factors take in fp32. */
	public long bytes() {
		long total = 0;
		for (int layer = 0; layer < this.a.length; layer++) {
			for (int m = 0; m < MODULES.size(); m++) {
				if (this.a[layer][m] != null) {
					total += 4L * (this.a[layer][m].length + this.b[layer][m].length);
				}
			}
		}
		return total;
	}

	/** The index of a projection in {@link #MODULES}. */
	public static int moduleIndex(String module) {
		return MODULES.indexOf(module);
	}

	/**
	 * Reads a PEFT adapter directory ({@code adapter_config.json} and
	 * {@code adapter_model.safetensors}).
	 * @param id the id to serve it under
	 * @param dir the directory
	 * @param config the base model it must fit
	 * @return the fused factors
	 * @throws AdapterException if it is unreadable or does not fit the base model
	 */
	public static LoraWeights read(String id, Path dir, ModelConfig config) {
		try {
			Path configFile = dir.resolve("adapter_config.json");
			Path weightsFile = dir.resolve("adapter_model.safetensors");
			if (!Files.isRegularFile(configFile) || !Files.isRegularFile(weightsFile)) {
				throw new AdapterException("adapter " + id
						+ " is not a PEFT adapter directory (needs adapter_config.json and adapter_model.safetensors)");
			}
			JsonNode json = JSON.readTree(Files.readString(configFile));
			String peftType = json.path("peft_type").asString("LORA");
			if (!peftType.equals("LORA")) {
				throw new AdapterException("adapter " + id + " has peft_type " + peftType + "; only LORA is served");
			}
			if (json.path("use_dora").asBoolean(false)) {
				throw new AdapterException("adapter " + id + " uses DoRA, which is not served");
			}
			if (json.path("rank_pattern").size() > 0 || json.path("alpha_pattern").size() > 0) {
				throw new AdapterException("adapter " + id + " uses rank_pattern/alpha_pattern, which is not served");
			}
			int rank = json.path("r").asInt(0);
			if (rank < 1 || rank > 256) {
				throw new AdapterException("adapter " + id + " has rank " + rank + "; ranks 1 to 256 are served");
			}
			double alpha = json.path("lora_alpha").asDouble(rank);
			boolean rslora = json.path("use_rslora").asBoolean(false);
			double scale = rslora ? alpha / Math.sqrt(rank) : alpha / rank;
			Set<String> targets = new LinkedHashSet<>();
			JsonNode targetNode = json.path("target_modules");
			if (targetNode.isArray()) {
				targetNode.forEach((t) -> targets.add(t.asString()));
			}
			else if (targetNode.isString()) {
				throw new AdapterException("adapter " + id + " gives target_modules as a pattern; list the modules");
			}
			for (String t : targets) {
				if (!List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj").contains(t)) {
					throw new AdapterException("adapter " + id + " targets " + t + ", which is not a projection of "
							+ "this model (q/k/v/o/gate/up/down_proj)");
				}
			}
			if (targets.isEmpty()) {
				throw new AdapterException("adapter " + id + " targets no modules");
			}
			try (SafeTensorsFile file = SafeTensorsFile.open(weightsFile)) {
				return fuse(id, rank, scale, targets, file, config);
			}
		}
		catch (IOException ex) {
			throw new AdapterException("adapter " + id + " cannot be read: " + ex.getMessage(), ex);
		}
		catch (IllegalArgumentException ex) {
			throw new AdapterException("adapter " + id + " does not fit the base model: " + ex.getMessage(), ex);
		}
	}

	private static LoraWeights fuse(String id, int rank, double scale, Set<String> targets, SafeTensorsFile file,
			ModelConfig config) {
		int layers = config.numLayers();
		float[][][] a = new float[layers][MODULES.size()][];
		float[][][] b = new float[layers][MODULES.size()][];
		int used = 0;
		boolean bf16 = true;
		for (int m = 0; m < MODULES.size(); m++) {
			String module = MODULES.get(m);
			if (!targets.contains(module)) {
				continue;
			}
			int in = inputWidth(module, config);
			int out = outputWidth(module, config);
			String block = (m >= 4) ? "mlp" : "self_attn";
			for (int layer = 0; layer < layers; layer++) {
				String prefix = "base_model.model.model.layers." + layer + "." + block + "." + module;
				String aName = tensorName(file, prefix + ".lora_A.weight", rank, in);
				String bName = tensorName(file, prefix + ".lora_B.weight", out, rank);
				a[layer][m] = file.floats(aName);
				b[layer][m] = file.floats(bName);
				bf16 &= file.info(aName).dtype() == DType.BF16 && file.info(bName).dtype() == DType.BF16;
				used++;
			}
		}
		if (used == 0) {
			throw new AdapterException("adapter " + id + " holds no LoRA weights for its target modules");
		}
		for (String name : file.names()) {
			if (name.contains(".layers." + layers + ".")) {
				throw new AdapterException("adapter " + id + " has more layers than the base model's " + layers);
			}
		}
		return new LoraWeights(id, rank, scale, Set.copyOf(targets), a, b, bf16);
	}

	/** The name a factor is stored under, checked for its shape. */
	private static String tensorName(SafeTensorsFile file, String name, long rows, long cols) {
		String actual = file.names().contains(name) ? name : name.replace(".weight", ".default.weight");
		if (!file.names().contains(actual)) {
			throw new IllegalArgumentException("missing tensor " + name);
		}
		long[] shape = file.info(actual).shape();
		if (shape.length != 2 || shape[0] != rows || shape[1] != cols) {
			throw new IllegalArgumentException("tensor " + name + " has shape " + java.util.Arrays.toString(shape)
					+ ", the base model needs [" + rows + ", " + cols + "]");
		}
		return actual;
	}

	static int inputWidth(String module, ModelConfig config) {
		return switch (module) {
			case "q_proj", "k_proj", "v_proj", "gate_proj", "up_proj" -> config.hiddenSize();
			case "o_proj" -> config.numHeads() * config.headDim();
			case "down_proj" -> config.intermediateSize();
			default -> throw new IllegalArgumentException("unknown module " + module);
		};
	}

	static int outputWidth(String module, ModelConfig config) {
		return switch (module) {
			case "q_proj" -> config.numHeads() * config.headDim();
			case "k_proj", "v_proj" -> config.numKvHeads() * config.headDim();
			case "o_proj", "down_proj" -> config.hiddenSize();
			case "gate_proj", "up_proj" -> config.intermediateSize();
			default -> throw new IllegalArgumentException("unknown module " + module);
		};
	}

}
