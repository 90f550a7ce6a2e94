package io.quiver.worker.engine;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.quiver.worker.adapter.LoraAdapter;
import io.quiver.worker.adapter.LoraBank;
import io.quiver.worker.adapter.LoraGroup;
import io.quiver.worker.kvcache.KvCache;
import io.quiver.worker.model.ModelConfig;
import io.quiver.worker.tensor.DecodeAttention;
import io.quiver.worker.tensor.Kernels;
import io.quiver.worker.tensor.Projection;
import io.quiver.worker.tensor.ResidualStream;
import io.quiver.worker.tensor.RotaryCacheWrite;
import io.quiver.worker.tensor.RowWork;
import io.quiver.worker.tensor.SwiGlu;
import io.quiver.worker.tensor.Torch;
import io.quiver.worker.weights.ModelWeights;

/**
 * The decoder-only forward pass shared by the Llama, Qwen2 and Mistral families (Hugging
 * Face's {@code LlamaForCausalLM.forward}), over a batch of many sequences' rows at once.
 * Weights are fp32 in Hugging Face's {@code [out, in]} layout; q/k/v and gate/up are
 * fused into one matmul each.
 */
public final class Transformer implements AutoCloseable {

	private final ModelConfig config;

	private final NDManager manager;

	// [vocab, hidden]: model.embed_tokens.weight
	private final NDArray embed;

	// [vocab, hidden]: lm_head.weight (embed_tokens when tied)
	private final Projection lmHead;

	// [hidden]: model.norm.weight
	private final NDArray finalNorm;

	private final float[] finalNormValues;

	private final Layer[] layers;

	// [maxPositions, headDim]: cos of LlamaRotaryEmbedding, halves repeated
	private final NDArray cosTable;

	// [maxPositions, headDim]: sin of LlamaRotaryEmbedding, halves repeated, the first
	// negated (see Kernels.rope)
	private final NDArray sinTable;

	// The same tables for RotaryCacheWrite, [maxPositions · headDim].
	private final float[] cosRows;

	private final float[] sinRows;

	private final float attentionScale;

	/**
	 * Whether the Vector API's kernels can run. On a pass with its cache in host memory,
	 * decode rows then attend through {@link DecodeAttention}, else through PyTorch: at
	 * 32 rows of contexts of 26–46 tokens, 0.47–0.68 against 0.87–1.45 ms a layer,
	 * measured side by side in the same passes; the kernel reads each context at its own
	 * length, PyTorch pads all to the longest. SwiGLU then runs in {@link SwiGlu}.
	 */
	private static final boolean VECTOR_KERNELS = Kernels.vectorApi();

	// whether a pass with its cache in host memory runs the steps between the matmuls in
	// Java; see preferJavaSteps
	private static volatile boolean javaStepsPreferred = true;

	/**
	 * The most vocabulary rows of the LM head one thread multiplies at a time on a split
	 * pass. At 32 rows, PyTorch at one thread ran a SmolLM2-sized head's half, 24,576
	 * rows, at 67 GFLOP/s, blocks of 2,048 rows at 101 (medians of 50 calls, 2-vCPU
	 * EPYC); in 32-row decode passes the head took 13.8 ms in blocks of 1,024 against
	 * 16.2 ms in two halves, and 14.2 against 15.5 in blocks of 2,048 (means of over 300
	 * passes each way, alternating by round in one process).
	 */
	private static final int LM_HEAD_BLOCK = 1024;

	/** Distinct adapters among a bank's decode rows from which they run batched. */
	static final int BATCHED_ADAPTERS = 2;

	private Transformer(ModelConfig config, NDManager manager, NDArray embed, NDArray lmHead, float[] finalNorm,
			Layer[] layers, float[] cos, float[] signedSin) {
		this.config = config;
		this.manager = manager;
		this.embed = embed;
		this.lmHead = Projection.inBlocksOf(lmHead, LM_HEAD_BLOCK);
		this.finalNorm = manager.create(finalNorm);
		this.finalNormValues = finalNorm;
		this.layers = layers;
		int hd = config.headDim();
		this.cosTable = manager.create(cos, new Shape(cos.length / hd, hd));
		this.sinTable = manager.create(signedSin, new Shape(signedSin.length / hd, hd));
		this.cosRows = cos;
		this.sinRows = signedSin;
		this.attentionScale = (float) (1.0 / Math.sqrt(config.headDim()));
	}

	/**
	 * Loads the weights of a model directory, widened to fp32.
	 * @param config the model's config
	 * @param modelDir the directory holding the safetensors
	 * @param parent the engine's manager
	 * @param maxPositions positions the rotary tables cover
	 * @return the model
	 * @throws IOException if the weights cannot be read or do not match the config
	 */
	public static Transformer load(ModelConfig config, Path modelDir, NDManager parent, int maxPositions)
			throws IOException {
		NDManager manager = parent.newSubManager();
		try (ModelWeights weights = ModelWeights.open(modelDir)) {
			int h = config.hiddenSize();
			int hd = config.headDim();
			int q = config.numHeads() * hd;
			int kv = config.numKvHeads() * hd;
			int inter = config.intermediateSize();
			int vocab = config.vocabSize();
			NDArray embed = manager.create(weights.floats("model.embed_tokens.weight", vocab, h), new Shape(vocab, h));
			NDArray lmHead = (config.tieWordEmbeddings() || !weights.has("lm_head.weight")) ? embed
					: manager.create(weights.floats("lm_head.weight", vocab, h), new Shape(vocab, h));
			Layer[] layers = new Layer[config.numLayers()];
			for (int i = 0; i < layers.length; i++) {
				String p = "model.layers." + i + ".";
				float[] qkv = concat(weights.floats(p + "self_attn.q_proj.weight", q, h),
						weights.floats(p + "self_attn.k_proj.weight", kv, h),
						weights.floats(p + "self_attn.v_proj.weight", kv, h));
				NDArray bias = null;
				if (config.attentionBias()) {
					bias = manager.create(concat(weights.floats(p + "self_attn.q_proj.bias", q),
							weights.floats(p + "self_attn.k_proj.bias", kv),
							weights.floats(p + "self_attn.v_proj.bias", kv)));
				}
				float[] gateUp = concat(weights.floats(p + "mlp.gate_proj.weight", inter, h),
						weights.floats(p + "mlp.up_proj.weight", inter, h));
				float[] inputNorm = weights.floats(p + "input_layernorm.weight", h);
				float[] postNorm = weights.floats(p + "post_attention_layernorm.weight", h);
				layers[i] = new Layer(manager.create(inputNorm), inputNorm,
						new Projection(manager.create(qkv, new Shape(q + 2L * kv, h))), bias,
						(bias != null) ? bias.toFloatArray() : null,
						new Projection(
								manager.create(weights.floats(p + "self_attn.o_proj.weight", h, q), new Shape(h, q))),
						manager.create(postNorm), postNorm,
						new Projection(manager.create(gateUp, new Shape(2L * inter, h))), new Projection(manager
							.create(weights.floats(p + "mlp.down_proj.weight", h, inter), new Shape(h, inter))));
			}
			float[] finalNorm = weights.floats("model.norm.weight", h);
			double[] inv = config.ropeScaling().inverseFrequencies(hd, config.ropeTheta());
			float[] cos = new float[maxPositions * hd];
			float[] sin = new float[maxPositions * hd];
			for (int pos = 0; pos < maxPositions; pos++) {
				for (int i = 0; i < hd / 2; i++) {
					// LlamaRotaryEmbedding computes the angle in fp32: inv_freq ·
					// position.
					float angle = (float) inv[i] * pos;
					float c = (float) Math.cos(angle);
					float s = (float) Math.sin(angle);
					cos[pos * hd + i] = c;
					cos[pos * hd + i + hd / 2] = c;
					sin[pos * hd + i] = -s;
					sin[pos * hd + i + hd / 2] = s;
				}
			}
			return new Transformer(config, manager, embed, lmHead, finalNorm, layers, cos, sin);
		}
		catch (IOException | RuntimeException ex) {
			manager.close();
			throw ex;
		}
	}

	private static float[] concat(float[]... parts) {
		int n = 0;
		for (float[] p : parts) {
			n += p.length;
		}
		float[] out = new float[n];
		int at = 0;
		for (float[] p : parts) {
			System.arraycopy(p, 0, out, at, p.length);
			at += p.length;
		}
		return out;
	}

	public ModelConfig config() {
		return this.config;
	}

	public NDManager manager() {
		return this.manager;
	}

	/**
	 * Chooses, for every model of this JVM, whether a pass whose cache is in host memory
	 * runs RoPE, the cache write, the residual stream, decode attention and SwiGLU in
	 * Java (the default) or as tensor ops, as on a GPU: for tests that hold the two paths
	 * against each other on a machine without one.
	 * @param java whether to take the Java steps
	 */
	public static void preferJavaSteps(boolean java) {
		javaStepsPreferred = java;
	}

	/**
	 * Runs one forward pass, writing the rows' keys and values into the cache.
	 * @param batch the rows
	 * @param cache the KV cache
	 * @return the logits of {@code batch.logitRows()}, {@code [logitRows · vocab]}
	 * row-major
	 */
	public float[] forward(ForwardBatch batch, KvCache cache) {
		// A cache in host memory is written from Java (RotaryCacheWrite), any other
		// through PyTorch's scatter; with it, the residual stream is kept in Java.
		boolean javaSteps = javaStepsPreferred && cache.inHostMemory();
		if (!splitsProjections(batch, javaSteps)) {
			return pass(batch, cache, javaSteps, false);
		}
		try (RowWork.Hot hot = RowWork.hot(); Torch.Threads one = Torch.oneThread()) {
			return pass(batch, cache, javaSteps, true);
		}
	}

	/**
	 * Whether a pass runs its projections as {@link Projection}s, split between the
	 * engine thread and the kernel helpers with PyTorch at one thread, rather than
	 * through PyTorch's OpenMP threads: a pass of decode rows alone whose steps between
	 * the matmuls run in Java, with every adapter's rows on a bank's CPU kernel. A pass
	 * with a prefill chunk keeps OpenMP, which its attention's matmuls need.
	 */
	private static boolean splitsProjections(ForwardBatch batch, boolean javaSteps) {
		if (!javaSteps || !VECTOR_KERNELS) {
			return false;
		}
		for (ForwardBatch.SequenceRows seq : batch.sequences()) {
			if (seq.rows() != 1) {
				return false;
			}
		}
		for (ForwardBatch.LoraRows run : batch.lora()) {
			if (!run.adapter().bank().addsToArrays()) {
				return false;
			}
		}
		return true;
	}

	private float[] pass(ForwardBatch batch, KvCache cache, boolean javaSteps, boolean split) {
		try (NDScope scope = new NDScope()) {
			NDManager m = this.manager;
			int n = batch.tokens().length;
			NDArray tokenIds = Torch.indices(m, batch.tokens());
			ResidualStream x = ResidualStream.of(this.embed.get(new NDIndex("{}", tokenIds)), javaSteps);
			NDArray writeSlots = null;
			NDArray cos = null;
			NDArray sin = null;
			if (!javaSteps) {
				NDArray positions = Torch.indices(m, batch.positions());
				writeSlots = m.create(batch.writeSlots());
				cos = this.cosTable.get(new NDIndex("{}", positions)).expandDims(1);
				sin = this.sinTable.get(new NDIndex("{}", positions)).expandDims(1);
			}
			Attention attention = prepareAttention(batch, javaSteps, m);
			LoraPlan lora = planLora(batch, attention.decodeRows(), m);
			// Where a bank's kernel adds deltas row by row, gate and up's output is
			// transposed into rows for it first (see SwiGlu.rows).
			boolean gateUpRows = split || (javaSteps && VECTOR_KERNELS && lora.addsToArrays());
			int heads = this.config.numHeads();
			int kvHeads = this.config.numKvHeads();
			int hd = this.config.headDim();
			float eps = (float) this.config.rmsNormEps();
			// each layer's rows of q/k/v and of gate/up in Java, in the buffers the layer
			// before used (see Kernels.reuse)
			float[] qkvRows = null;
			float[] gateUpValues = null;
			// on a split pass, o's and down's rows before they join the stream
			float[] added = null;
			for (int li = 0; li < this.layers.length; li++) {
				Layer layer = this.layers[li];
				NDArray h = x.norm(layer.inputNorm, layer.inputNormValues, eps);
				NDArray qkv = null;
				if (split) {
					qkvRows = layer.qkv.rows(h, qkvRows);
					if (layer.qkvBiasValues != null) {
						addToEveryRow(qkvRows, layer.qkvBiasValues);
					}
				}
				else {
					qkv = Kernels.linear(h, layer.qkv.weight());
					if (layer.qkvBias != null) {
						qkv = qkv.add(layer.qkvBias);
					}
					applyLora(lora, li, LoraGroup.QKV, h, qkv, javaSteps);
				}
				NDArray attended;
				if (javaSteps) {
					ByteBuffer keys = cache.keyMemory(li);
					ByteBuffer values = cache.valueMemory(li);
					try {
						MemorySegment keyMemory = MemorySegment.ofBuffer(keys);
						MemorySegment valueMemory = MemorySegment.ofBuffer(values);
						if (!split) {
							qkvRows = Kernels.rowMajor(qkv, qkvRows);
						}
						applyLora(lora, li, LoraGroup.QKV, h, qkvRows);
						float[] q = RotaryCacheWrite.apply(qkvRows, batch.positions(), batch.writeSlots(), this.cosRows,
								this.sinRows, heads, kvHeads, hd, keyMemory, valueMemory);
						attended = attend(batch, attention, null, new HostLayer(q, keyMemory, valueMemory), cache, li);
					}
					finally {
						Reference.reachabilityFence(keys);
						Reference.reachabilityFence(values);
					}
				}
				else {
					NDArray heads3 = qkv.reshape(n, heads + 2L * kvHeads, hd);
					NDArray qk = Kernels.rope(heads3.get(new NDIndex(":, :{}", heads + kvHeads)), cos, sin);
					NDArray k = qk.get(new NDIndex(":, {}:", heads));
					NDArray v = heads3.get(new NDIndex(":, {}:", heads + kvHeads));
					cache.write(li, writeSlots, k, v);
					attended = attend(batch, attention, qk.get(new NDIndex(":, :{}", heads)), null, cache, li);
				}
				added = addProjection(x, layer.o, attended, lora, li, LoraGroup.O, split, javaSteps, added);
				NDArray h2 = x.norm(layer.postNorm, layer.postNormValues, eps);
				NDArray gateUp = null;
				if (split) {
					gateUpValues = layer.gateUp.rows(h2, gateUpValues);
				}
				else {
					gateUp = Kernels.linear(h2, layer.gateUp.weight());
					applyLora(lora, li, LoraGroup.GATE_UP, h2, gateUp, gateUpRows);
				}
				int inter = this.config.intermediateSize();
				NDArray act;
				if (gateUpRows) {
					if (!split) {
						gateUpValues = Kernels.rowMajor(gateUp, gateUpValues);
					}
					applyLora(lora, li, LoraGroup.GATE_UP, h2, gateUpValues);
					act = SwiGlu.rows(gateUpValues, n, inter, m);
				}
				else {
					act = (javaSteps && VECTOR_KERNELS) ? SwiGlu.apply(gateUp, inter, m)
							: Kernels.swiGlu(gateUp, inter);
				}
				added = addProjection(x, layer.down, act, lora, li, LoraGroup.DOWN, split, javaSteps, added);
			}
			NDArray last = x.norm(this.finalNorm, this.finalNormValues, eps, batch.logitRows());
			return split ? this.lmHead.rows(last, null) : Kernels.rowMajor(Kernels.linear(last, this.lmHead.weight()));
		}
	}

	/**
	 * Adds a projection of {@code input} and its adapters' deltas to the residual stream:
	 * o's and down's step.
	 * @param buffer on a split pass, the buffer of the last such projection's rows, or
	 * null
	 * @return on a split pass, the buffer this projection's rows were written to, for the
	 * next; else {@code buffer}
	 */
	private float[] addProjection(ResidualStream x, Projection projection, NDArray input, LoraPlan lora, int layer,
			LoraGroup group, boolean split, boolean javaSteps, float[] buffer) {
		float[] rows = buffer;
		if (split) {
			rows = projection.rows(input, buffer);
			x.add(rows);
		}
		else {
			NDArray y = Kernels.linear(input, projection.weight());
			applyLora(lora, layer, group, input, y, javaSteps);
			x.add(y);
		}
		if (javaSteps) {
			applyLora(lora, layer, group, input, x.rows());
		}
		return rows;
	}

	/** Adds {@code values} to every row of {@code rows}, {@code [n · values.length]}. */
	private static void addToEveryRow(float[] rows, float[] values) {
		for (int at = 0; at < rows.length; at += values.length) {
			for (int i = 0; i < values.length; i++) {
				rows[at + i] += values[i];
			}
		}
	}

	/**
	 * Applies the adapters of every run of rows: the batched rows of each bank (see
	 * {@link #planLora}) in one call, other runs one matmul pair each.
	 * @param toArrayLater whether the caller adds the batched rows of banks that can
	 * ({@link LoraBank#addsToArrays()}) into a row-major array of the output (or of what
	 * it is added to) afterwards, so that they are left out here
	 */
	private void applyLora(LoraPlan plan, int layer, LoraGroup group, NDArray input, NDArray output,
			boolean toArrayLater) {
		long n = input.getShape().get(0);
		for (LoraPlan.Batched batched : plan.batched()) {
			if (!toArrayLater || !batched.bank().addsToArrays()) {
				batched.bank().addBatched(layer, group, batched.layout(), batched.firstRow(), input, output);
			}
		}
		for (ForwardBatch.LoraRows run : plan.segments()) {
			if (run.firstRow() == 0 && run.rows() == n) {
				run.adapter().addDelta(layer, group, input, output);
			}
			else {
				NDIndex rows = new NDIndex("{}:{}", run.firstRow(), run.firstRow() + run.rows());
				run.adapter().addDelta(layer, group, input.get(rows), output.get(rows));
			}
		}
	}

	/**
	 * Adds the batched rows that {@code applyLora(..., true)} left out into the output's
	 * rows, {@code [rows · out]} row-major: where the pass keeps them in Java anyway (the
	 * rotary input, the residual stream), each row's delta is added there by the thread
	 * that computed it.
	 */
	private void applyLora(LoraPlan plan, int layer, LoraGroup group, NDArray input, float[] rows) {
		for (LoraPlan.Batched batched : plan.batched()) {
			if (batched.bank().addsToArrays()) {
				batched.bank().addBatched(layer, group, batched.layout(), batched.firstRow(), input, rows);
			}
		}
	}

	/**
	 * Which runs of rows go through a bank's batched path and which one by one.
	 */
	private record LoraPlan(List<Batched> batched, List<ForwardBatch.LoraRows> segments) {

		record Batched(LoraBank bank, int firstRow, int rows, LoraBank.BankRows layout) {
		}

		/** Whether a bank adds its rows' deltas into row-major arrays. */
		boolean addsToArrays() {
			for (Batched b : this.batched) {
				if (b.bank().addsToArrays()) {
					return true;
				}
			}
			return false;
		}

	}

	/**
	 * Plans the adapters of a pass. A bank that adds deltas with its CPU kernel takes all
	 * its rows in one call per group and layer, decode and prefill alike, with the rows
	 * between them (the base model's, another bank's) skipped. Through PyTorch, each run
	 * of rows costs a handful of small ops per group and layer: one decode row of a
	 * SmolLM2-sized model with a rank-16 bf16 adapter on all seven projections took
	 * 6.3–11.5 ms more than the base model's, through the kernel 2.2 ms; eight rows of
	 * one adapter 41 against 8–10 ms (medians of 40 passes alternating with the base
	 * model's, 2-vCPU EPYC). A 512-row prefill pass of 32 prompts of 16 tokens, each on a
	 * bf16 adapter of its own, took 2.75 s through PyTorch and 1.54 s through the kernel,
	 * against 1.41 s for the base model; one prompt of 512 tokens on one adapter 2.65
	 * against 1.46 s (medians of three passes, both ways alternating in one process).
	 * Elsewhere (on a GPU), decode rows of a bank that sit together run batched when they
	 * span at least {@link #BATCHED_ADAPTERS} adapters, and every other run one matmul
	 * pair per group.
	 */
	private LoraPlan planLora(ForwardBatch batch, int decodeRows, NDManager m) {
		List<LoraPlan.Batched> batched = new ArrayList<>();
		List<ForwardBatch.LoraRows> segments = new ArrayList<>();
		Map<LoraBank, List<ForwardBatch.LoraRows>> kernelRuns = new LinkedHashMap<>();
		List<ForwardBatch.LoraRows> runs = new ArrayList<>();
		for (ForwardBatch.LoraRows run : batch.lora()) {
			LoraBank bank = run.adapter().bank();
			if (bank.addsToArrays()) {
				kernelRuns.computeIfAbsent(bank, (b) -> new ArrayList<>()).add(run);
			}
			else {
				runs.add(run);
			}
		}
		kernelRuns.forEach((bank, ofBank) -> {
			int first = ofBank.get(0).firstRow();
			ForwardBatch.LoraRows last = ofBank.get(ofBank.size() - 1);
			int[] slots = new int[last.firstRow() + last.rows() - first];
			Arrays.fill(slots, LoraBank.BankRows.SKIPPED);
			for (ForwardBatch.LoraRows run : ofBank) {
				Arrays.fill(slots, run.firstRow() - first, run.firstRow() - first + run.rows(), run.adapter().slot());
			}
			batched.add(new LoraPlan.Batched(bank, first, slots.length, LoraBank.BankRows.ofRows(slots)));
		});
		int i = 0;
		while (i < runs.size()) {
			ForwardBatch.LoraRows run = runs.get(i);
			if (run.firstRow() >= decodeRows) {
				segments.add(run);
				i++;
				continue;
			}
			LoraBank bank = run.adapter().bank();
			int j = i;
			int rows = 0;
			int end = run.firstRow();
			while (j < runs.size() && runs.get(j).adapter().bank() == bank && runs.get(j).firstRow() == end
					&& runs.get(j).firstRow() + runs.get(j).rows() <= decodeRows) {
				rows += runs.get(j).rows();
				end += runs.get(j).rows();
				j++;
			}
			if (j - i >= BATCHED_ADAPTERS) {
				int[] slots = new int[rows];
				int at = 0;
				for (int k = i; k < j; k++) {
					for (int r = 0; r < runs.get(k).rows(); r++) {
						slots[at++] = runs.get(k).adapter().slot();
					}
				}
				batched.add(new LoraPlan.Batched(bank, run.firstRow(), rows, LoraBank.BankRows.of(slots, m)));
			}
			else {
				segments.addAll(runs.subList(i, Math.max(j, i + 1)));
			}
			i = Math.max(j, i + 1);
		}
		return new LoraPlan(batched, segments);
	}

	/**
	 * What the attention of every sequence needs, built once per pass and shared by all
	 * layers: for decode rows either each one's context slots, for
	 * {@link DecodeAttention}, or padded index tensors and masks, for PyTorch; for each
	 * prefill chunk its index tensor and mask.
	 */
	private record Attention(int decodeRows, long[][] decodeContexts, NDArray decodeSlots, NDArray decodeMask,
			int decodeContext, List<NDArray> prefillSlots, List<NDArray> prefillMasks) {
	}

	private Attention prepareAttention(ForwardBatch batch, boolean javaSteps, NDManager m) {
		int g = this.config.groupSize();
		List<ForwardBatch.SequenceRows> seqs = batch.sequences();
		int decodes = 0;
		int maxContext = 0;
		while (decodes < seqs.size() && seqs.get(decodes).rows() == 1) {
			maxContext = Math.max(maxContext, seqs.get(decodes).contextSlots().length);
			decodes++;
		}
		NDArray decodeSlots = null;
		NDArray decodeMask = null;
		long[][] decodeContexts = null;
		if (decodes > 0 && VECTOR_KERNELS && javaSteps) {
			decodeContexts = new long[decodes][];
			for (int s = 0; s < decodes; s++) {
				decodeContexts[s] = seqs.get(s).contextSlots();
			}
		}
		else if (decodes > 0) {
			long[] slots = new long[decodes * maxContext];
			float[] mask = new float[decodes * maxContext];
			for (int s = 0; s < decodes; s++) {
				long[] ctx = seqs.get(s).contextSlots();
				for (int j = 0; j < maxContext; j++) {
					slots[s * maxContext + j] = (j < ctx.length) ? ctx[j] : ctx[0];
					mask[s * maxContext + j] = (j < ctx.length) ? 0f : Float.NEGATIVE_INFINITY;
				}
			}
			decodeSlots = m.create(slots);
			decodeMask = m.create(mask, new Shape(decodes, 1, 1, maxContext));
		}
		List<NDArray> prefillSlots = new ArrayList<>();
		List<NDArray> prefillMasks = new ArrayList<>();
		for (int s = decodes; s < seqs.size(); s++) {
			ForwardBatch.SequenceRows seq = seqs.get(s);
			long[] ctx = seq.contextSlots();
			int t = seq.rows();
			float[] mask = new float[g * t * ctx.length];
			for (int gi = 0; gi < g; gi++) {
				for (int ti = 0; ti < t; ti++) {
					int visible = batch.positions()[seq.firstRow() + ti];
					for (int j = visible + 1; j < ctx.length; j++) {
						mask[(gi * t + ti) * ctx.length + j] = Float.NEGATIVE_INFINITY;
					}
				}
			}
			prefillSlots.add(m.create(ctx));
			prefillMasks.add(m.create(mask, new Shape(1, 1, (long) g * t, ctx.length)));
		}
		return new Attention(decodes, decodeContexts, decodeSlots, decodeMask, maxContext, prefillSlots, prefillMasks);
	}

	/**
	 * Attention for every sequence: all decode rows in one batched call, each prefill
	 * chunk in its own.
	 * @param q queries after rotary embedding, {@code [rows, heads, headDim]}, or null on
	 * the Java path
	 * @param host the queries and the layer's cache memory on the Java path, else null
	 * @return {@code [rows, heads · headDim]}
	 */
	private NDArray attend(ForwardBatch batch, Attention attention, NDArray q, HostLayer host, KvCache cache,
			int layer) {
		int kvHeads = this.config.numKvHeads();
		int g = this.config.groupSize();
		int hd = this.config.headDim();
		int width = this.config.numHeads() * hd;
		int b = attention.decodeRows();
		// decodeContexts are set on the Java path only
		if (attention.decodeContexts() != null && b == batch.sequences().size()) {
			// Decode rows only: the kernel reads the queries as they are.
			return decodeKernel(attention, host);
		}
		if (q == null) {
			q = Torch.tensor(this.manager, host.queries(),
					new Shape(batch.tokens().length, this.config.numHeads(), hd));
		}
		NDList parts = new NDList();
		if (b > 0) {
			NDArray qd = (b == q.getShape().get(0)) ? q : q.get(new NDIndex(":{}", b));
			if (attention.decodeContexts() != null) {
				parts.add(decodeKernel(attention, host));
			}
			else {
				int l = attention.decodeContext();
				qd = qd.reshape(b, kvHeads, g, hd);
				NDArray k = cache.keys(layer, attention.decodeSlots()).reshape(b, l, kvHeads, hd).transpose(0, 2, 1, 3);
				NDArray v = cache.values(layer, attention.decodeSlots())
					.reshape(b, l, kvHeads, hd)
					.transpose(0, 2, 1, 3);
				parts.add(Kernels.attention(qd, k, v, attention.decodeMask(), this.attentionScale).reshape(b, width));
			}
		}
		List<ForwardBatch.SequenceRows> seqs = batch.sequences();
		for (int s = b; s < seqs.size(); s++) {
			ForwardBatch.SequenceRows seq = seqs.get(s);
			int t = seq.rows();
			NDArray slots = attention.prefillSlots().get(s - b);
			NDArray qs = q.get(new NDIndex("{}:{}", seq.firstRow(), seq.firstRow() + t))
				.reshape(t, kvHeads, g, hd)
				.transpose(1, 2, 0, 3)
				.reshape(1, kvHeads, (long) g * t, hd);
			NDArray k = cache.keys(layer, slots).transpose(1, 0, 2).expandDims(0);
			NDArray v = cache.values(layer, slots).transpose(1, 0, 2).expandDims(0);
			NDArray out = Kernels.attention(qs, k, v, attention.prefillMasks().get(s - b), this.attentionScale);
			parts.add(out.reshape(kvHeads, g, t, hd).transpose(2, 0, 1, 3).reshape(t, width));
		}
		return (parts.size() == 1) ? parts.get(0) : NDArrays.concat(parts, 0);
	}

	/**
	 * Decode rows through {@link DecodeAttention}.
	 * @param host the queries of at least the decode rows and the layer's cache memory
	 * @return {@code [decodeRows, heads · headDim]}
	 */
	private NDArray decodeKernel(Attention attention, HostLayer host) {
		float[] out = DecodeAttention.attend(host.queries(), host.keys(), host.values(), attention.decodeContexts(),
				this.config.numKvHeads(), this.config.groupSize(), this.config.headDim(), this.attentionScale);
		return Torch.tensor(this.manager, out,
				new Shape(attention.decodeRows(), (long) this.config.numHeads() * this.config.headDim()));
	}

	/**
	 * What the Java path hands to attention: the rotated queries and the memory of the
	 * layer's cache, which the caller keeps reachable.
	 *
	 * @param queries {@code [rows, heads · headDim]} row-major
	 * @param keys the layer's keys
	 * @param values the layer's values
	 */
	private record HostLayer(float[] queries, MemorySegment keys, MemorySegment values) {
	}

	/**
	 * The logits at every position of one prompt, run alone through a scratch region of
	 * the cache: the hook golden tests compare against a reference implementation.
	 * @param cache a cache with room for the prompt
	 * @param prompt the token ids
	 * @param adapter an adapter, or null for the base model
	 * @return {@code [prompt.length][vocab]}
	 */
	public float[][] promptLogits(KvCache cache, int[] prompt, LoraAdapter adapter) {
		var blocks = cache.blocks();
		int needed = blocks.blocksFor(prompt.length);
		int[] table = new int[needed];
		for (int i = 0; i < needed; i++) {
			table[i] = blocks.allocate();
		}
		try {
			long[] slots = new long[prompt.length];
			int[] positions = new int[prompt.length];
			int[] rows = new int[prompt.length];
			for (int i = 0; i < prompt.length; i++) {
				slots[i] = (long) table[i / blocks.blockSize()] * blocks.blockSize() + i % blocks.blockSize();
				positions[i] = i;
				rows[i] = i;
			}
			List<ForwardBatch.LoraRows> lora = (adapter == null) ? List.of()
					: List.of(new ForwardBatch.LoraRows(0, prompt.length, adapter));
			ForwardBatch batch = new ForwardBatch(prompt, positions, slots,
					List.of(new ForwardBatch.SequenceRows(0, prompt.length, slots)), lora, rows);
			float[] flat = forward(batch, cache);
			int vocab = this.config.vocabSize();
			float[][] out = new float[prompt.length][vocab];
			for (int i = 0; i < prompt.length; i++) {
				System.arraycopy(flat, i * vocab, out[i], 0, vocab);
			}
			return out;
		}
		finally {
			for (int block : table) {
				blocks.release(block);
			}
		}
	}

	@Override
	public void close() {
		this.manager.close();
	}

	/**
	 * One decoder layer's weights, each in Hugging Face's {@code [out, in]} layout.
	 *
	 * @param inputNorm {@code [hidden]}: input_layernorm.weight
	 * @param qkv {@code [(heads + 2·kvHeads)·headDim, hidden]}: q_proj, k_proj, v_proj
	 * fused
	 * @param qkvBias {@code [(heads + 2·kvHeads)·headDim]}: their biases (Qwen2), or null
	 * @param qkvBiasValues the same as an array, or null
	 * @param o {@code [hidden, heads·headDim]}: o_proj
	 * @param postNorm {@code [hidden]}: post_attention_layernorm.weight
	 * @param gateUp {@code [2·intermediate, hidden]}: gate_proj and up_proj fused
	 * @param down {@code [hidden, intermediate]}: down_proj
	 */
	private record Layer(NDArray inputNorm, float[] inputNormValues, Projection qkv, NDArray qkvBias,
			float[] qkvBiasValues, Projection o, NDArray postNorm, float[] postNormValues, Projection gateUp,
			Projection down) {
	}

}
