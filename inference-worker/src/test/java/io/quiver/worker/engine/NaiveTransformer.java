package io.quiver.worker.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.quiver.worker.adapter.LoraGroup;
import io.quiver.worker.adapter.LoraWeights;
import io.quiver.worker.model.ModelConfig;
import io.quiver.worker.tensor.NaiveKernels;
import io.quiver.worker.weights.ModelWeights;

/**
 * The naive twin of {@link Transformer}: one token at a time, one loop per formula, plain
 * float arrays and unfused Hugging Face weights.
 */
final class NaiveTransformer {

	private final ModelConfig config;

	private final ModelWeights weights;

	NaiveTransformer(ModelConfig config, Path modelDir) throws IOException {
		this.config = config;
		this.weights = ModelWeights.open(modelDir);
	}

	float[][] promptLogits(int[] prompt, LoraWeights adapter) {
		ModelConfig c = this.config;
		int h = c.hiddenSize();
		int hd = c.headDim();
		int heads = c.numHeads();
		int kvHeads = c.numKvHeads();
		int inter = c.intermediateSize();
		int vocab = c.vocabSize();
		float eps = (float) c.rmsNormEps();
		double[] inv = c.ropeScaling().inverseFrequencies(hd, c.ropeTheta());
		float[] embed = this.weights.floats("model.embed_tokens.weight", vocab, h);
		float[] lmHead = (c.tieWordEmbeddings()) ? embed : this.weights.floats("lm_head.weight", vocab, h);
		List<List<float[][]>> keys = new ArrayList<>();
		List<List<float[][]>> values = new ArrayList<>();
		for (int l = 0; l < c.numLayers(); l++) {
			keys.add(new ArrayList<>());
			values.add(new ArrayList<>());
		}
		float[][] out = new float[prompt.length][];
		for (int t = 0; t < prompt.length; t++) {
			float[] x = new float[h];
			System.arraycopy(embed, prompt[t] * h, x, 0, h);
			for (int l = 0; l < c.numLayers(); l++) {
				String p = "model.layers." + l + ".";
				float[] n1 = NaiveKernels.rmsNorm(x, this.weights.floats(p + "input_layernorm.weight", h), eps);
				float[] q = project(n1, p + "self_attn.q_proj", heads * hd, h, adapter, l, LoraGroup.QKV, 0);
				float[] k = project(n1, p + "self_attn.k_proj", kvHeads * hd, h, adapter, l, LoraGroup.QKV, 1);
				float[] v = project(n1, p + "self_attn.v_proj", kvHeads * hd, h, adapter, l, LoraGroup.QKV, 2);
				float[][] kh = new float[kvHeads][];
				float[][] vh = new float[kvHeads][];
				for (int j = 0; j < kvHeads; j++) {
					kh[j] = NaiveKernels.rope(slice(k, j * hd, hd), inv, t);
					vh[j] = slice(v, j * hd, hd);
				}
				keys.get(l).add(kh);
				values.get(l).add(vh);
				float[] attn = new float[heads * hd];
				for (int head = 0; head < heads; head++) {
					int kv = head / c.groupSize();
					float[] qh = NaiveKernels.rope(slice(q, head * hd, hd), inv, t);
					float[][] ks = new float[t + 1][];
					float[][] vs = new float[t + 1][];
					for (int s = 0; s <= t; s++) {
						ks[s] = keys.get(l).get(s)[kv];
						vs[s] = values.get(l).get(s)[kv];
					}
					System.arraycopy(NaiveKernels.attention(qh, ks, vs), 0, attn, head * hd, hd);
				}
				float[] o = project(attn, p + "self_attn.o_proj", h, heads * hd, adapter, l, LoraGroup.O, 0);
				for (int i = 0; i < h; i++) {
					x[i] += o[i];
				}
				float[] n2 = NaiveKernels.rmsNorm(x, this.weights.floats(p + "post_attention_layernorm.weight", h),
						eps);
				float[] gate = project(n2, p + "mlp.gate_proj", inter, h, adapter, l, LoraGroup.GATE_UP, 0);
				float[] up = project(n2, p + "mlp.up_proj", inter, h, adapter, l, LoraGroup.GATE_UP, 1);
				float[] act = NaiveKernels.swiGlu(gate, up);
				float[] down = project(act, p + "mlp.down_proj", h, inter, adapter, l, LoraGroup.DOWN, 0);
				for (int i = 0; i < h; i++) {
					x[i] += down[i];
				}
			}
			float[] normed = NaiveKernels.rmsNorm(x, this.weights.floats("model.norm.weight", h), eps);
			out[t] = NaiveKernels.linear(normed, lmHead, vocab);
		}
		return out;
	}

	private float[] project(float[] x, String name, int out, int in, LoraWeights adapter, int layer, LoraGroup group,
			int moduleIndex) {
		float[] y = NaiveKernels.linear(x, this.weights.floats(name + ".weight", out, in), out);
		if (this.config.attentionBias() && group == LoraGroup.QKV) {
			float[] bias = this.weights.floats(name + ".bias", out);
			for (int i = 0; i < out; i++) {
				y[i] += bias[i];
			}
		}
		int module = group.modules().size() > moduleIndex ? LoraWeights.moduleIndex(group.modules().get(moduleIndex))
				: -1;
		if (adapter != null && adapter.targets(layer, module)) {
			float[] a = adapter.a(layer, module);
			float[] b = adapter.b(layer, module);
			int r = adapter.rank();
			double[] xa = new double[r];
			for (int k = 0; k < r; k++) {
				for (int i = 0; i < in; i++) {
					xa[k] += (double) x[i] * a[k * in + i];
				}
			}
			for (int o = 0; o < out; o++) {
				double s = 0;
				for (int k = 0; k < r; k++) {
					s += xa[k] * b[o * r + k];
				}
				y[o] += (float) (adapter.scale() * s);
			}
		}
		return y;
	}

	private static float[] slice(float[] x, int from, int length) {
		float[] out = new float[length];
		System.arraycopy(x, from, out, 0, length);
		return out;
	}

}
