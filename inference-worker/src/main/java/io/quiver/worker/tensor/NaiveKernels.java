package io.quiver.worker.tensor;

/**
 * Straightforward float-array twins of {@link Kernels}, one loop per formula, used to
 * check the fused versions.
 */
public final class NaiveKernels {

	private NaiveKernels() {
	}

	/**
	 * RMSNorm of one row.
	 * @param x {@code [hidden]}
	 * @param weight {@code [hidden]}
	 * @param eps {@code rms_norm_eps}
	 * @return {@code [hidden]}
	 */
	public static float[] rmsNorm(float[] x, float[] weight, float eps) {
		double sum = 0;
		for (float v : x) {
			sum += (double) v * v;
		}
		float inv = (float) (1.0 / Math.sqrt(sum / x.length + eps));
		float[] out = new float[x.length];
		for (int i = 0; i < x.length; i++) {
			out[i] = x[i] * inv * weight[i];
		}
		return out;
	}

	/**
	 * Rotary embedding of one head at one position, written as Hugging Face's
	 * {@code rotate_half} formula.
	 * @param x {@code [headDim]}
	 * @param inverseFrequencies {@code [headDim / 2]}
	 * @param position the token's position
	 * @return {@code [headDim]}
	 */
	public static float[] rope(float[] x, double[] inverseFrequencies, int position) {
		int half = x.length / 2;
		float[] out = new float[x.length];
		for (int i = 0; i < half; i++) {
			float cos = (float) Math.cos(position * inverseFrequencies[i]);
			float sin = (float) Math.sin(position * inverseFrequencies[i]);
			out[i] = x[i] * cos - x[i + half] * sin;
			out[i + half] = x[i + half] * cos + x[i] * sin;
		}
		return out;
	}

	/**
	 * SwiGLU of one row.
	 * @param gate {@code [intermediate]}
	 * @param up {@code [intermediate]}
	 * @return {@code [intermediate]}
	 */
	public static float[] swiGlu(float[] gate, float[] up) {
		float[] out = new float[gate.length];
		for (int i = 0; i < gate.length; i++) {
			double g = gate[i];
			out[i] = (float) (g / (1 + Math.exp(-g)) * up[i]);
		}
		return out;
	}

	/**
	 * Causal attention of one query head over the keys it may see.
	 * @param q {@code [headDim]}
	 * @param keys {@code [visible][headDim]}
	 * @param values {@code [visible][headDim]}
	 * @return {@code [headDim]}
	 */
	public static float[] attention(float[] q, float[][] keys, float[][] values) {
		double scale = 1.0 / Math.sqrt(q.length);
		double[] scores = new double[keys.length];
		double max = Double.NEGATIVE_INFINITY;
		for (int t = 0; t < keys.length; t++) {
			double s = 0;
			for (int i = 0; i < q.length; i++) {
				s += (double) q[i] * keys[t][i];
			}
			scores[t] = s * scale;
			max = Math.max(max, scores[t]);
		}
		double total = 0;
		for (int t = 0; t < keys.length; t++) {
			scores[t] = Math.exp(scores[t] - max);
			total += scores[t];
		}
		float[] out = new float[q.length];
		for (int t = 0; t < keys.length; t++) {
			for (int i = 0; i < q.length; i++) {
				out[i] += (float) (scores[t] / total * values[t][i]);
			}
		}
		return out;
	}

	/**
	 * {@code x · Wᵀ} for one row, with W in Hugging Face's {@code [out, in]} layout.
	 * @param x {@code [in]}
	 * @param weight {@code [out · in]}, row-major
	 * @param out the output width
	 * @return {@code [out]}
	 */
	public static float[] linear(float[] x, float[] weight, int out) {
		float[] y = new float[out];
		for (int o = 0; o < out; o++) {
			double s = 0;
			for (int i = 0; i < x.length; i++) {
				s += (double) x[i] * weight[o * x.length + i];
			}
			y[o] = (float) s;
		}
		return y;
	}

}
