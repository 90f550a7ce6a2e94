package io.quiver.worker.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import io.quiver.worker.model.ModelFamily;
import io.quiver.worker.weights.DType;
import io.quiver.worker.weights.SafeTensorsWriter;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Generates a Hugging Face-layout model directory with random weights, and PEFT LoRA
 * adapters for it. The output is deterministic (fixed seeds) and its text is noise by
 * design: it exists to exercise the whole serving path where no real model can be
 * downloaded.
 *
 * <p>
 * A model directory holds {@code config.json}, {@code generation_config.json},
 * {@code model.safetensors} (bf16), {@code tokenizer.json} (byte-level BPE with
 * {@code <|endoftext|>}, {@code <|im_start|>}, {@code <|im_end|>} as ids 0, 1, 2) and
 * {@code tokenizer_config.json} (a ChatML chat template).
 */
public final class DemoModel {

	/** The ChatML template the demo tokenizer config carries. */
	public static final String CHAT_TEMPLATE = "{% for message in messages %}"
			+ "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
			+ "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

	/** The seven projections a LoRA adapter may target. */
	public static final List<String> ALL_MODULES = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
			"up_proj", "down_proj");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final long SEED = 20241105L;

	private static final String[] SPECIAL_TOKENS = { "<|endoftext|>", "<|im_start|>", "<|im_end|>" };

	private static final String CORPUS = """
			Quiver serves one shared base language model with many adapters. Each tenant brings an adapter \
			fine-tuned on its own data, and the worker answers requests for all of them in the same batch. \
			The model reads the prompt, writes the next token, and then the next, until it reaches the end \
			of the answer or the limit the request set. A good answer is short and clear. The user asks a \
			question and the assistant answers the question. The system tells the assistant how to behave. \
			Hello, how are you? I am fine, thank you. What is the weather like today? It is sunny and warm \
			in the city, and the river is calm. The quick brown fox jumps over the lazy dog. The cat sat on \
			the mat and the dog slept by the door. Numbers like 1, 2, 3, 10, 42 and 2024 appear in text. \
			Code looks like this: def main(): return 0, or public static void main(String[] args) { }. \
			There are many words in the English language, and some of them are more common than others: \
			the, of, and, to, in, is, that, for, it, as, with, was, on, be, at, by, this, have, from, or, \
			one, had, not, but, what, all, were, when, we, there, can, an, your, which, their, said, if. \
			""";

	private DemoModel() {
	}

	/**
	 * Writes a Llama-family demo model.
	 * @param out the directory to create (or overwrite)
	 * @param shape the model's shape
	 * @throws IOException if the files cannot be written
	 */
	public static void generate(Path out, Shape shape) throws IOException {
		generate(out, shape, ModelFamily.LLAMA);
	}

	/**
	 * Writes a demo model of the given family. {@link ModelFamily#QWEN2} adds q/k/v
	 * biases and ties the embeddings.
	 * @param out the directory to create (or overwrite)
	 * @param shape the model's shape
	 * @param family {@link ModelFamily#LLAMA} or {@link ModelFamily#QWEN2}
	 * @throws IOException if the files cannot be written
	 */
	public static void generate(Path out, Shape shape, ModelFamily family) throws IOException {
		if (family == ModelFamily.MISTRAL) {
			throw new IllegalArgumentException("the demo model comes in the llama and qwen2 families");
		}
		boolean qwen = family == ModelFamily.QWEN2;
		boolean tied = qwen || shape.tieWordEmbeddings();
		Files.createDirectories(out);
		writeConfig(out, shape, qwen, tied);
		writeTokenizer(out, shape.vocabSize());
		writeWeights(out, shape, qwen, tied);
	}

	/**
	 * Writes the default demo adapters into {@code adaptersDir}: {@code demo-support}
	 * (rank 8, q and v), {@code demo-legal} (rank 16, all seven modules) and
	 * {@code demo-sql} (rank 4, q, k, v and o, rsLoRA).
	 * @param modelDir a model directory written by {@link #generate}
	 * @param adaptersDir the folder that receives one sub-folder per adapter
	 * @return the adapter directories
	 * @throws IOException if the files cannot be read or written
	 */
	public static List<Path> generateAdapters(Path modelDir, Path adaptersDir) throws IOException {
		List<AdapterSpec> specs = List.of(new AdapterSpec("demo-support", 8, 16, List.of("q_proj", "v_proj"), false),
				new AdapterSpec("demo-legal", 16, 32, ALL_MODULES, false),
				new AdapterSpec("demo-sql", 4, 8, List.of("q_proj", "k_proj", "v_proj", "o_proj"), true));
		return generateAdapters(modelDir, adaptersDir, specs);
	}

	/**
	 * Writes one PEFT adapter per spec, each into {@code adaptersDir/<name>}.
	 * @param modelDir a model directory (its {@code config.json} gives the shapes)
	 * @param adaptersDir the folder that receives one sub-folder per adapter
	 * @param specs the adapters to write
	 * @return the adapter directories, in the order of {@code specs}
	 * @throws IOException if the files cannot be read or written
	 */
	public static List<Path> generateAdapters(Path modelDir, Path adaptersDir, List<AdapterSpec> specs)
			throws IOException {
		var config = io.quiver.worker.model.ModelConfig.read(modelDir);
		List<Path> dirs = new ArrayList<>();
		for (AdapterSpec spec : specs) {
			Path dir = adaptersDir.resolve(spec.name());
			writeAdapter(dir, config, modelDir.getFileName().toString(), spec);
			dirs.add(dir);
		}
		return dirs;
	}

	private static void writeAdapter(Path dir, io.quiver.worker.model.ModelConfig config, String baseName,
			AdapterSpec spec) throws IOException {
		Files.createDirectories(dir);
		ObjectNode json = JSON.createObjectNode();
		json.put("base_model_name_or_path", baseName);
		json.put("peft_type", "LORA");
		json.put("task_type", "CAUSAL_LM");
		json.put("r", spec.rank());
		json.put("lora_alpha", spec.alpha());
		json.put("lora_dropout", 0.0);
		json.put("bias", "none");
		json.put("fan_in_fan_out", false);
		json.put("inference_mode", true);
		json.put("use_rslora", spec.rslora());
		json.put("use_dora", false);
		ArrayNode targets = json.putArray("target_modules");
		spec.targetModules().forEach(targets::add);
		Files.writeString(dir.resolve("adapter_config.json"),
				JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
		SplittableRandom random = new SplittableRandom(SEED ^ (spec.name().hashCode() * 0x9E3779B97F4A7C15L));
		SafeTensorsWriter writer = new SafeTensorsWriter(spec.dtype());
		int hidden = config.hiddenSize();
		int q = config.numHeads() * config.headDim();
		int kv = config.numKvHeads() * config.headDim();
		int inter = config.intermediateSize();
		for (int layer = 0; layer < config.numLayers(); layer++) {
			for (String module : spec.targetModules()) {
				int[] io = switch (module) {
					case "q_proj" -> new int[] { hidden, q };
					case "k_proj", "v_proj" -> new int[] { hidden, kv };
					case "o_proj" -> new int[] { q, hidden };
					case "gate_proj", "up_proj" -> new int[] { hidden, inter };
					case "down_proj" -> new int[] { inter, hidden };
					default -> throw new IllegalArgumentException("unknown target module " + module);
				};
				String block = module.equals("gate_proj") || module.equals("up_proj") || module.equals("down_proj")
						? "mlp" : "self_attn";
				String prefix = "base_model.model.model.layers." + layer + "." + block + "." + module;
				writer.add(prefix + ".lora_A.weight", new long[] { spec.rank(), io[0] },
						gaussian(random, spec.rank() * io[0], 1.0 / Math.sqrt(io[0])));
				writer.add(prefix + ".lora_B.weight", new long[] { io[1], spec.rank() },
						gaussian(random, io[1] * spec.rank(), 0.5 / Math.sqrt(spec.rank())));
			}
		}
		writer.write(dir.resolve("adapter_model.safetensors"), Map.of("format", "pt"));
	}

	private static void writeConfig(Path out, Shape shape, boolean qwen, boolean tied) throws IOException {
		ObjectNode config = JSON.createObjectNode();
		config.putArray("architectures").add(qwen ? "Qwen2ForCausalLM" : "LlamaForCausalLM");
		config.put("model_type", qwen ? "qwen2" : "llama");
		config.put("hidden_size", shape.hiddenSize());
		config.put("intermediate_size", shape.intermediateSize());
		config.put("num_hidden_layers", shape.numLayers());
		config.put("num_attention_heads", shape.numHeads());
		config.put("num_key_value_heads", shape.numKvHeads());
		config.put("head_dim", shape.hiddenSize() / shape.numHeads());
		config.put("hidden_act", "silu");
		config.put("max_position_embeddings", shape.maxPositionEmbeddings());
		config.put("rms_norm_eps", qwen ? 1e-6 : 1e-5);
		config.put("rope_theta", qwen ? 1000000.0 : shape.ropeTheta());
		config.putNull("rope_scaling");
		config.put("tie_word_embeddings", tied);
		config.put("vocab_size", shape.vocabSize());
		config.put("bos_token_id", 1);
		config.put("eos_token_id", 2);
		config.put("pad_token_id", 0);
		config.put("attention_bias", qwen);
		config.put("mlp_bias", false);
		config.put("initializer_range", 0.02);
		config.put("torch_dtype", "bfloat16");
		if (qwen) {
			config.put("use_sliding_window", false);
			config.put("sliding_window", shape.maxPositionEmbeddings());
			config.put("max_window_layers", shape.numLayers());
		}
		write(out.resolve("config.json"), config);
		ObjectNode generation = JSON.createObjectNode();
		generation.put("bos_token_id", 1);
		generation.put("eos_token_id", 2);
		generation.put("pad_token_id", 0);
		write(out.resolve("generation_config.json"), generation);
	}

	private static void writeTokenizer(Path out, int vocabSize) throws IOException {
		char[] byteChars = ByteLevelBpe.byteToUnicode();
		Map<String, Integer> vocab = new LinkedHashMap<>();
		for (String special : SPECIAL_TOKENS) {
			vocab.put(special, vocab.size());
		}
		for (int b = 0; b < 256; b++) {
			vocab.put(String.valueOf(byteChars[b]), vocab.size());
		}
		if (vocab.size() > vocabSize) {
			throw new IllegalArgumentException("vocab size must be at least " + vocab.size());
		}
		List<String[]> merges = new ArrayList<>();
		for (String[] merge : ByteLevelBpe.train(CORPUS, vocabSize - vocab.size())) {
			String joined = merge[0] + merge[1];
			if (!vocab.containsKey(joined)) {
				vocab.put(joined, vocab.size());
				merges.add(merge);
			}
		}
		fillVocab(vocab, vocabSize, byteChars);
		ObjectNode tokenizer = JSON.createObjectNode();
		tokenizer.put("version", "1.0");
		tokenizer.putNull("truncation");
		tokenizer.putNull("padding");
		ArrayNode added = tokenizer.putArray("added_tokens");
		for (int i = 0; i < SPECIAL_TOKENS.length; i++) {
			ObjectNode token = added.addObject();
			token.put("id", i);
			token.put("content", SPECIAL_TOKENS[i]);
			token.put("single_word", false);
			token.put("lstrip", false);
			token.put("rstrip", false);
			token.put("normalized", false);
			token.put("special", true);
		}
		tokenizer.putNull("normalizer");
		tokenizer.set("pre_tokenizer", byteLevel(false, true));
		tokenizer.set("post_processor", byteLevel(false, false));
		tokenizer.set("decoder", byteLevel(false, true));
		ObjectNode model = tokenizer.putObject("model");
		model.put("type", "BPE");
		model.putNull("dropout");
		model.putNull("unk_token");
		model.putNull("continuing_subword_prefix");
		model.putNull("end_of_word_suffix");
		model.put("fuse_unk", false);
		model.put("byte_fallback", false);
		model.put("ignore_merges", false);
		ObjectNode vocabNode = model.putObject("vocab");
		vocab.forEach(vocabNode::put);
		ArrayNode mergesNode = model.putArray("merges");
		for (String[] merge : merges) {
			mergesNode.add(merge[0] + " " + merge[1]);
		}
		write(out.resolve("tokenizer.json"), tokenizer);

		ObjectNode config = JSON.createObjectNode();
		config.put("add_bos_token", false);
		config.put("add_eos_token", false);
		config.put("bos_token", "<|im_start|>");
		config.put("eos_token", "<|im_end|>");
		config.put("pad_token", "<|endoftext|>");
		config.put("unk_token", "<|endoftext|>");
		config.put("clean_up_tokenization_spaces", false);
		config.put("model_max_length", 8192);
		config.put("tokenizer_class", "GPT2Tokenizer");
		config.put("chat_template", CHAT_TEMPLATE);
		ObjectNode decoder = config.putObject("added_tokens_decoder");
		for (int i = 0; i < SPECIAL_TOKENS.length; i++) {
			ObjectNode token = decoder.putObject(String.valueOf(i));
			token.put("content", SPECIAL_TOKENS[i]);
			token.put("special", true);
			token.put("lstrip", false);
			token.put("rstrip", false);
			token.put("normalized", false);
			token.put("single_word", false);
		}
		write(out.resolve("tokenizer_config.json"), config);
	}

	/**
	 * Pads the vocabulary to the model's size with tokens no merge produces (they still
	 * decode, byte by byte), so every id the model can emit has text.
	 */
	private static void fillVocab(Map<String, Integer> vocab, int vocabSize, char[] byteChars) {
		String letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
		List<String> units = new ArrayList<>();
		for (char c : letters.toCharArray()) {
			units.add(String.valueOf(c));
			units.add(String.valueOf(byteChars[' ']) + c);
		}
		Set<String> seen = new HashSet<>(vocab.keySet());
		outer: for (int length = 2; vocab.size() < vocabSize; length++) {
			int[] digits = new int[length];
			while (true) {
				StringBuilder token = new StringBuilder();
				for (int i = 0; i < length; i++) {
					String unit = units.get(digits[i]);
					if (i > 0 && unit.length() > 1) {
						unit = unit.substring(1);
					}
					token.append(unit);
				}
				String candidate = token.toString();
				if (seen.add(candidate)) {
					vocab.put(candidate, vocab.size());
					if (vocab.size() >= vocabSize) {
						break outer;
					}
				}
				int i = length - 1;
				while (i >= 0 && ++digits[i] == units.size()) {
					digits[i--] = 0;
				}
				if (i < 0) {
					break;
				}
			}
		}
	}

	private static ObjectNode byteLevel(boolean addPrefixSpace, boolean trimOffsets) {
		ObjectNode node = JSON.createObjectNode();
		node.put("type", "ByteLevel");
		node.put("add_prefix_space", addPrefixSpace);
		node.put("trim_offsets", trimOffsets);
		node.put("use_regex", true);
		return node;
	}

	private static void writeWeights(Path out, Shape shape, boolean qwen, boolean tied) throws IOException {
		SplittableRandom random = new SplittableRandom(SEED + shape.name().hashCode() + (qwen ? 1 : 0));
		int h = shape.hiddenSize();
		int headDim = h / shape.numHeads();
		int q = shape.numHeads() * headDim;
		int kv = shape.numKvHeads() * headDim;
		int inter = shape.intermediateSize();
		int vocab = shape.vocabSize();
		SafeTensorsWriter writer = new SafeTensorsWriter(DType.BF16);
		writer.add("model.embed_tokens.weight", new long[] { vocab, h }, gaussian(random, vocab * h, 0.5));
		for (int layer = 0; layer < shape.numLayers(); layer++) {
			String p = "model.layers." + layer + ".";
			writer.add(p + "input_layernorm.weight", new long[] { h }, around(random, h, 1.0, 0.1));
			writer.add(p + "self_attn.q_proj.weight", new long[] { q, h }, gaussian(random, q * h, 1 / Math.sqrt(h)));
			writer.add(p + "self_attn.k_proj.weight", new long[] { kv, h }, gaussian(random, kv * h, 1 / Math.sqrt(h)));
			writer.add(p + "self_attn.v_proj.weight", new long[] { kv, h }, gaussian(random, kv * h, 1 / Math.sqrt(h)));
			if (qwen) {
				writer.add(p + "self_attn.q_proj.bias", new long[] { q }, gaussian(random, q, 0.1));
				writer.add(p + "self_attn.k_proj.bias", new long[] { kv }, gaussian(random, kv, 0.1));
				writer.add(p + "self_attn.v_proj.bias", new long[] { kv }, gaussian(random, kv, 0.1));
			}
			writer.add(p + "self_attn.o_proj.weight", new long[] { h, q }, gaussian(random, h * q, 1 / Math.sqrt(q)));
			writer.add(p + "post_attention_layernorm.weight", new long[] { h }, around(random, h, 1.0, 0.1));
			writer.add(p + "mlp.gate_proj.weight", new long[] { inter, h },
					gaussian(random, inter * h, 1 / Math.sqrt(h)));
			writer.add(p + "mlp.up_proj.weight", new long[] { inter, h },
					gaussian(random, inter * h, 1 / Math.sqrt(h)));
			writer.add(p + "mlp.down_proj.weight", new long[] { h, inter },
					gaussian(random, h * inter, 1 / Math.sqrt(inter)));
		}
		writer.add("model.norm.weight", new long[] { h }, around(random, h, 1.0, 0.1));
		if (!tied) {
			writer.add("lm_head.weight", new long[] { vocab, h }, gaussian(random, vocab * h, 1 / Math.sqrt(h)));
		}
		writer.write(out.resolve("model.safetensors"), Map.of("format", "pt"));
	}

	private static float[] gaussian(SplittableRandom random, int n, double std) {
		float[] values = new float[n];
		for (int i = 0; i < n; i++) {
			values[i] = (float) (random.nextGaussian() * std);
		}
		return values;
	}

	private static float[] around(SplittableRandom random, int n, double mean, double std) {
		float[] values = gaussian(random, n, std);
		for (int i = 0; i < n; i++) {
			values[i] += (float) mean;
		}
		return values;
	}

	private static void write(Path file, ObjectNode json) throws IOException {
		Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
	}

	/**
	 * Generates a demo model from the command line:
	 * {@code --out DIR [--shape tiny|small|smollm2-135m] [--family llama|qwen2] [--adapters DIR]}.
	 * @param args the arguments
	 * @throws IOException if the files cannot be written
	 */
	public static void main(String[] args) throws IOException {
		Path out = null;
		Path adapters = null;
		Shape shape = Shape.SMALL;
		ModelFamily family = ModelFamily.LLAMA;
		for (int i = 0; i < args.length; i++) {
			String value = (i + 1 < args.length) ? args[i + 1] : null;
			switch (args[i]) {
				case "--out" -> out = Path.of(require(args[i], value));
				case "--adapters" -> adapters = Path.of(require(args[i], value));
				case "--shape" -> shape = Shape.named(require(args[i], value));
				case "--family" -> family = ModelFamily.valueOf(require(args[i], value).toUpperCase(Locale.ROOT));
				default -> throw new IllegalArgumentException("unknown argument " + args[i]
						+ "; usage: --out DIR [--shape tiny|small|smollm2-135m] [--family llama|qwen2] [--adapters DIR]");
			}
			i++;
		}
		if (out == null) {
			throw new IllegalArgumentException("--out DIR is required");
		}
		generate(out, shape, family);
		System.out.println("wrote " + shape.name() + " " + family.name().toLowerCase(Locale.ROOT) + " model to " + out);
		if (adapters != null) {
			for (Path dir : generateAdapters(out, adapters)) {
				System.out.println("wrote adapter " + dir);
			}
		}
	}

	private static String require(String flag, String value) {
		if (value == null) {
			throw new IllegalArgumentException(flag + " needs a value");
		}
		return value;
	}

	/**
	 * A demo model's shape.
	 *
	 * @param name the name {@code --shape} accepts
	 * @param hiddenSize {@code hidden_size}
	 * @param intermediateSize {@code intermediate_size}
	 * @param numLayers {@code num_hidden_layers}
	 * @param numHeads {@code num_attention_heads}
	 * @param numKvHeads {@code num_key_value_heads}
	 * @param vocabSize {@code vocab_size}
	 * @param maxPositionEmbeddings {@code max_position_embeddings}
	 * @param ropeTheta {@code rope_theta} (Llama family)
	 * @param tieWordEmbeddings {@code tie_word_embeddings} (Llama family; Qwen2 always
	 * ties)
	 */
	public record Shape(String name, int hiddenSize, int intermediateSize, int numLayers, int numHeads, int numKvHeads,
			int vocabSize, int maxPositionEmbeddings, double ropeTheta, boolean tieWordEmbeddings) {

		/** For tests: loads and runs in milliseconds. */
		public static final Shape TINY = new Shape("tiny", 64, 128, 2, 4, 2, 320, 1024, 10000.0, false);

		/** For a local stack: starts in a second, generates quickly on two CPU cores. */
		public static final Shape SMALL = new Shape("small", 256, 768, 4, 8, 4, 2048, 4096, 10000.0, true);

		/** SmolLM2-135M's exact shape, for benchmarks. */
		public static final Shape SMOLLM2_135M = new Shape("smollm2-135m", 576, 1536, 30, 9, 3, 49152, 8192, 100000.0,
				true);

		/**
		 * Looks a shape up by its name.
		 * @param name {@code tiny}, {@code small} or {@code smollm2-135m}
		 * @return the shape
		 */
		public static Shape named(String name) {
			for (Shape shape : List.of(TINY, SMALL, SMOLLM2_135M)) {
				if (shape.name().equalsIgnoreCase(name)) {
					return shape;
				}
			}
			throw new IllegalArgumentException("unknown shape " + name + " (tiny, small, smollm2-135m)");
		}

	}

	/**
	 * One demo adapter.
	 *
	 * @param name its folder name, which is also the id it is served under
	 * @param rank {@code r}
	 * @param alpha {@code lora_alpha}
	 * @param targetModules {@code target_modules}, a subset of {@link #ALL_MODULES}
	 * @param rslora {@code use_rslora}: scale by {@code alpha / sqrt(r)} instead of
	 * {@code alpha / r}
	 * @param dtype what the factors are saved as: {@code F32}, or {@code BF16} as when
	 * saved from a model trained in bf16
	 */
	public record AdapterSpec(String name, int rank, double alpha, List<String> targetModules, boolean rslora,
			DType dtype) {

		public AdapterSpec {
			targetModules = List.copyOf(targetModules);
		}

		/** An adapter saved in fp32. */
		public AdapterSpec(String name, int rank, double alpha, List<String> targetModules, boolean rslora) {
			this(name, rank, alpha, targetModules, rslora, DType.F32);
		}

	}

}
