package io.quiver.worker.adapter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
 * layer and each of the seven projections it targets, {@code lora_A.weight}
 * ({@code [r, in]}) and {@code lora_B.weight} ({@code [out, r]}) as stored, row-major,
 * and the scale to apply to their product.
 *
 * <p>
 * Factors are held in the file's precision: as bf16 bits when the file stores every
 * factor in bf16 (as adapters trained for bf16 models usually are), else in fp32. A bf16
 * adapter takes half the host memory, and is read by copying rather than widening.
 */
public final class LoraWeights {

	/** The projections in the order factors are indexed by. */
	public static final List<String> MODULES = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
			"down_proj");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final String id;

	private final int rank;

	private final double scale;

	private final Set<String> targetModules;

	// [layers][module]: lora_A.weight ([r, in]) and lora_B.weight ([out, r]) row-major,
	// or null where the module is not targeted
	private final Factor[][] a;

	private final Factor[][] b;

	private final boolean bf16;

	private LoraWeights(String id, int rank, double scale, Set<String> targetModules, Factor[][] a, Factor[][] b,
			boolean bf16) {
		this.id = id;
		this.rank = rank;
		this.scale = scale;
		this.targetModules = Set.copyOf(targetModules);
		this.a = a;
		this.b = b;
		this.bf16 = bf16;
	}

	/**
	 * Factors given as arrays, for tests and tools.
	 * @param id the id it is served under
	 * @param rank {@code r}
	 * @param scale the scale to apply to {@code x·Aᵀ·Bᵀ}
	 * @param targetModules the modules it targets
	 * @param a {@code [layers][module]} of {@code [r, in]} row-major, or null where the
	 * module is not targeted; modules in {@link #MODULES} order
	 * @param b {@code [layers][module]} of {@code [out, r]} row-major, or null
	 * @param bf16 whether to hold them as bf16, which every element must be exactly
	 * @return the adapter's factors
	 */
	public static LoraWeights of(String id, int rank, double scale, Set<String> targetModules, float[][][] a,
			float[][][] b, boolean bf16) {
		Factor[][] fa = new Factor[a.length][MODULES.size()];
		Factor[][] fb = new Factor[a.length][MODULES.size()];
		for (int layer = 0; layer < a.length; layer++) {
			for (int m = 0; m < MODULES.size(); m++) {
				if (a[layer][m] != null) {
					fa[layer][m] = Factor.of(a[layer][m], bf16);
					fb[layer][m] = Factor.of(b[layer][m], bf16);
				}
			}
		}
		return new LoraWeights(id, rank, scale, targetModules, fa, fb, bf16);
	}

	/** The id it is served under. */
	public String id() {
		return this.id;
	}

	/** {@code r}. */
	public int rank() {
		return this.rank;
	}

	/** {@code lora_alpha / r}, or {@code lora_alpha / sqrt(r)} with rsLoRA. */
	public double scale() {
		return this.scale;
	}

	/** {@code target_modules}. */
	public Set<String> targetModules() {
		return this.targetModules;
	}

	/** Whether the factors are held as bf16: each of them is exactly a bf16 number. */
	public boolean bf16() {
		return this.bf16;
	}

	/** Bytes the factors take in host memory. */
	public long bytes() {
		long total = 0;
		for (int layer = 0; layer < this.a.length; layer++) {
			for (int m = 0; m < MODULES.size(); m++) {
				if (this.a[layer][m] != null) {
					total += this.a[layer][m].bytes() + this.b[layer][m].bytes();
				}
			}
		}
		return total;
	}

	/** Whether it targets a module in a layer. */
	public boolean targets(int layer, int module) {
		return this.a[layer][module] != null;
	}

	/**
	 * @return {@code lora_A.weight} of a module in a layer, {@code [r, in]} row-major, as
	 * a fresh fp32 array, or null where the module is not targeted
	 */
	public float[] a(int layer, int module) {
		return targets(layer, module) ? this.a[layer][module].widened() : null;
	}

	/**
	 * @return {@code lora_B.weight} of a module in a layer, {@code [out, r]} row-major,
	 * as a fresh fp32 array, or null where the module is not targeted
	 */
	public float[] b(int layer, int module) {
		return targets(layer, module) ? this.b[layer][module].widened() : null;
	}

	/** {@code lora_A.weight} of a targeted module in a layer, as held. */
	Factor factorA(int layer, int module) {
		return this.a[layer][module];
	}

	/** {@code lora_B.weight} of a targeted module in a layer, as held. */
	Factor factorB(int layer, int module) {
		return this.b[layer][module];
	}

	/**
	 * One factor's elements as held: in fp32, or as bf16 bits.
	 *
	 * @param floats its elements, or null when held as bf16
	 * @param bits its elements' bf16 bits, or null when held in fp32
	 */
	record Factor(float[] floats, short[] bits) {

		static Factor of(float[] values, boolean bf16) {
			if (!bf16) {
				return new Factor(values.clone(), null);
			}
			short[] bits = new short[values.length];
			for (int i = 0; i < values.length; i++) {
				int raw = Float.floatToRawIntBits(values[i]);
				if ((raw & 0xFFFF) != 0) {
					throw new IllegalArgumentException("element " + i + " is not a bf16 number");
				}
				bits[i] = (short) (raw >>> 16);
			}
			return new Factor(null, bits);
		}

		long bytes() {
			return (this.bits != null) ? 2L * this.bits.length : 4L * this.floats.length;
		}

		float[] widened() {
			if (this.floats != null) {
				return this.floats.clone();
			}
			float[] out = new float[this.bits.length];
			for (int i = 0; i < out.length; i++) {
				out[i] = Float.intBitsToFloat(this.bits[i] << 16);
			}
			return out;
		}

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
		String[][] aNames = new String[layers][MODULES.size()];
		String[][] bNames = new String[layers][MODULES.size()];
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
				aNames[layer][m] = tensorName(file, prefix + ".lora_A.weight", rank, in);
				bNames[layer][m] = tensorName(file, prefix + ".lora_B.weight", out, rank);
				bf16 &= file.info(aNames[layer][m]).dtype() == DType.BF16
						&& file.info(bNames[layer][m]).dtype() == DType.BF16;
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
		Factor[][] a = new Factor[layers][MODULES.size()];
		Factor[][] b = new Factor[layers][MODULES.size()];
		for (int layer = 0; layer < layers; layer++) {
			for (int m = 0; m < MODULES.size(); m++) {
				if (aNames[layer][m] != null) {
					a[layer][m] = read(file, aNames[layer][m], bf16);
					b[layer][m] = read(file, bNames[layer][m], bf16);
				}
			}
		}
		return new LoraWeights(id, rank, scale, targets, a, b, bf16);
	}

	private static Factor read(SafeTensorsFile file, String name, boolean bf16) {
		if (!bf16) {
			return new Factor(file.floats(name), null);
		}
		short[] bits = new short[Math.toIntExact(file.info(name).elementCount())];
		file.bf16Bits(name, bits, 0);
		return new Factor(null, bits);
	}

	/** The name a factor is stored under, checked for its shape. */
	private static String tensorName(SafeTensorsFile file, String name, long rows, long cols) {
		String actual = file.names().contains(name) ? name : name.replace(".weight", ".default.weight");
		if (!file.names().contains(actual)) {
			throw new IllegalArgumentException("missing tensor " + name);
		}
		long[] shape = file.info(actual).shape();
		if (shape.length != 2 || shape[0] != rows || shape[1] != cols) {
			throw new IllegalArgumentException("tensor " + name + " has shape " + Arrays.toString(shape)
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
