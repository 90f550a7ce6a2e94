package io.quiver.worker.adapter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.quiver.worker.model.ModelConfig;
import io.quiver.worker.weights.SafeTensorsFile;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A PEFT LoRA adapter read into host memory and checked against the base model, its
 * factors fused per {@link LoraGroup} with the scale folded into B.
 *
 * <p>
 * For a group of modules {@code m₁..mₖ} with outputs of widths {@code o₁..oₖ}, {@code a}
 * is {@code [in, k·r]} (each module's {@code lora_A.weightᵀ} side by side) and {@code b}
 * is {@code [k·r, o₁+..+oₖ]}, block-diagonal, holding {@code scale · lora_B.weightᵀ}; a
 * module the adapter does not target has a zero block. Then {@code x·a·b} is every
 * module's {@code scale·(x·Aᵀ)·Bᵀ} at once.
 *
 * @param id the id it is served under
 * @param rank {@code r}
 * @param scale {@code lora_alpha / r}, or {@code lora_alpha / sqrt(r)} with rsLoRA
 * @param targetModules {@code target_modules}
 * @param a {@code [layers][group]} of {@code [in · k·r]} row-major, or null where the
 * group is untouched
 * @param b {@code [layers][group]} of {@code [k·r · out]} row-major, or null where the
 * group is untouched
 * @param aShape {@code [group]} of {@code {in, k·r}}
 * @param bShape {@code [group]} of {@code {k·r, out}}
 */
public record LoraWeights(String id, int rank, double scale, Set<String> targetModules, float[][][] a, float[][][] b,
		long[][] aShape, long[][] bShape) {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** Bytes the fused factors take in fp32. */
	public long bytes() {
		long total = 0;
		for (float[][] layer : this.a) {
			for (float[] g : layer) {
				total += (g != null) ? 4L * g.length : 0;
			}
		}
		for (float[][] layer : this.b) {
			for (float[] g : layer) {
				total += (g != null) ? 4L * g.length : 0;
			}
		}
		return total;
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
		LoraGroup[] groups = LoraGroup.values();
		float[][][] a = new float[layers][groups.length][];
		float[][][] b = new float[layers][groups.length][];
		long[][] aShape = new long[groups.length][];
		long[][] bShape = new long[groups.length][];
		Set<String> names = new LinkedHashSet<>();
		for (String name : file.names()) {
			names.add(name.replace(".default.weight", ".weight"));
		}
		int used = 0;
		for (LoraGroup group : groups) {
			List<String> modules = new ArrayList<>();
			for (String m : group.modules()) {
				if (targets.contains(m)) {
					modules.add(m);
				}
			}
			if (modules.isEmpty()) {
				continue;
			}
			int in = inputWidth(group.modules().get(0), config);
			int outTotal = 0;
			for (String m : group.modules()) {
				outTotal += outputWidth(m, config);
			}
			int k = group.modules().size();
			aShape[group.ordinal()] = new long[] { in, (long) k * rank };
			bShape[group.ordinal()] = new long[] { (long) k * rank, outTotal };
			for (int layer = 0; layer < layers; layer++) {
				float[] fusedA = new float[in * k * rank];
				float[] fusedB = new float[k * rank * outTotal];
				int column = 0;
				for (int mi = 0; mi < k; mi++) {
					String m = group.modules().get(mi);
					int out = outputWidth(m, config);
					if (modules.contains(m)) {
						String prefix = "base_model.model.model.layers." + layer + "."
								+ (group == LoraGroup.GATE_UP || group == LoraGroup.DOWN ? "mlp" : "self_attn") + "."
								+ m;
						float[] loraA = tensor(file, prefix + ".lora_A.weight", rank, in);
						float[] loraB = tensor(file, prefix + ".lora_B.weight", out, rank);
						used += 2;
						for (int r = 0; r < rank; r++) {
							for (int i = 0; i < in; i++) {
								fusedA[i * k * rank + mi * rank + r] = loraA[r * in + i];
							}
							for (int o = 0; o < out; o++) {
								fusedB[(mi * rank + r) * outTotal + column + o] = (float) (scale * loraB[o * rank + r]);
							}
						}
					}
					column += out;
				}
				a[layer][group.ordinal()] = fusedA;
				b[layer][group.ordinal()] = fusedB;
			}
		}
		if (used == 0) {
			throw new AdapterException("adapter " + id + " holds no LoRA weights for its target modules");
		}
		if (names.stream().anyMatch((n) -> n.contains(".layers." + layers + "."))) {
			throw new AdapterException("adapter " + id + " has more layers than the base model's " + layers);
		}
		return new LoraWeights(id, rank, scale, Set.copyOf(targets), a, b, aShape, bShape);
	}

	private static float[] tensor(SafeTensorsFile file, String name, long rows, long cols) {
		String actual = file.names().contains(name) ? name : name.replace(".weight", ".default.weight");
		if (!file.names().contains(actual)) {
			throw new IllegalArgumentException("missing tensor " + name);
		}
		long[] shape = file.info(actual).shape();
		if (shape.length != 2 || shape[0] != rows || shape[1] != cols) {
			throw new IllegalArgumentException("tensor " + name + " has shape " + java.util.Arrays.toString(shape)
					+ ", the base model needs [" + rows + ", " + cols + "]");
		}
		return file.floats(actual);
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
