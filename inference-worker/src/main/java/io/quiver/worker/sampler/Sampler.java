package io.quiver.worker.sampler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Samples one sequence's tokens. It owns the sequence's random stream, so a seeded
 * request draws the same tokens whatever else shares its batch.
 */
public final class Sampler {

	private final SamplingParams params;

	private final SplittableRandom random;

	// [vocab]: how often each token occurs in the output so far (for the penalties)
	private final int[] outputCounts;

	// [vocab]: whether each token occurs in the prompt (for the repetition penalty)
	private final boolean[] inPrompt;

	/**
	 * @param params how to sample
	 * @param vocabSize the vocabulary size
	 * @param prompt the prompt tokens
	 * @param seedOffset added to the seed for the n-th choice of one request
	 */
	public Sampler(SamplingParams params, int vocabSize, int[] prompt, int seedOffset) {
		this.params = params;
		this.random = (params.seed() != null) ? new SplittableRandom(params.seed() + seedOffset)
				: new SplittableRandom();
		this.outputCounts = params.penalized() ? new int[vocabSize] : null;
		this.inPrompt = (params.repetitionPenalty() != 1) ? new boolean[vocabSize] : null;
		if (this.inPrompt != null) {
			for (int id : prompt) {
				if (id >= 0 && id < vocabSize) {
					this.inPrompt[id] = true;
				}
			}
		}
	}

	/**
	 * Picks the next token.
	 * @param logits the batch's logits, row-major
	 * @param offset where this sequence's row starts
	 * @param vocab the row's length
	 * @return the token, with log-probabilities when asked for
	 */
	public SampledToken sample(float[] logits, int offset, int vocab) {
		double[] row = new double[vocab];
		for (int i = 0; i < vocab; i++) {
			row[i] = logits[offset + i];
		}
		double[] logprobs = (this.params.topLogprobs() >= 0) ? logSoftmax(row) : null;
		if (this.outputCounts != null) {
			applyPenalties(row);
		}
		int chosen = this.params.greedy() ? argmax(row) : draw(row);
		if (this.outputCounts != null) {
			this.outputCounts[chosen]++;
		}
		if (logprobs == null) {
			return new SampledToken(chosen, Double.NaN, List.of());
		}
		return new SampledToken(chosen, logprobs[chosen], top(logprobs, this.params.topLogprobs()));
	}

	private void applyPenalties(double[] row) {
		double rep = this.params.repetitionPenalty();
		for (int i = 0; i < row.length; i++) {
			int count = this.outputCounts[i];
			if (rep != 1 && (count > 0 || this.inPrompt[i])) {
				row[i] = (row[i] > 0) ? row[i] / rep : row[i] * rep;
			}
			if (count > 0) {
				row[i] -= this.params.frequencyPenalty() * count + this.params.presencePenalty();
			}
		}
	}

	private int draw(double[] row) {
		int vocab = row.length;
		double t = this.params.temperature();
		Integer[] order = null;
		double max = Double.NEGATIVE_INFINITY;
		for (double v : row) {
			max = Math.max(max, v);
		}
		double[] p = new double[vocab];
		double total = 0;
		for (int i = 0; i < vocab; i++) {
			p[i] = Math.exp((row[i] - max) / t);
			total += p[i];
		}
		for (int i = 0; i < vocab; i++) {
			p[i] /= total;
		}
		int topK = this.params.topK();
		double topP = this.params.topP();
		double minP = this.params.minP();
		if ((topK > 0 && topK < vocab) || topP < 1) {
			order = new Integer[vocab];
			for (int i = 0; i < vocab; i++) {
				order[i] = i;
			}
			double[] probs = p;
			Arrays.sort(order,
					(x, y) -> (probs[y] != probs[x]) ? Double.compare(probs[y], probs[x]) : Integer.compare(x, y));
			int keep = (topK > 0) ? Math.min(topK, vocab) : vocab;
			if (topP < 1) {
				double cumulative = 0;
				int nucleus = 0;
				while (nucleus < keep) {
					cumulative += p[order[nucleus]];
					nucleus++;
					if (cumulative >= topP) {
						break;
					}
				}
				keep = nucleus;
			}
			boolean[] kept = new boolean[vocab];
			for (int i = 0; i < keep; i++) {
				kept[order[i]] = true;
			}
			for (int i = 0; i < vocab; i++) {
				if (!kept[i]) {
					p[i] = 0;
				}
			}
		}
		if (minP > 0) {
			double top = 0;
			for (double v : p) {
				top = Math.max(top, v);
			}
			for (int i = 0; i < vocab; i++) {
				if (p[i] < minP * top) {
					p[i] = 0;
				}
			}
		}
		double sum = 0;
		for (double v : p) {
			sum += v;
		}
		double u = this.random.nextDouble() * sum;
		double acc = 0;
		int last = 0;
		for (int i = 0; i < vocab; i++) {
			if (p[i] > 0) {
				acc += p[i];
				last = i;
				if (u < acc) {
					return i;
				}
			}
		}
		return last;
	}

	static int argmax(double[] row) {
		int best = 0;
		for (int i = 1; i < row.length; i++) {
			if (row[i] > row[best]) {
				best = i;
			}
		}
		return best;
	}

	static double[] logSoftmax(double[] row) {
		double max = Double.NEGATIVE_INFINITY;
		for (double v : row) {
			max = Math.max(max, v);
		}
		double total = 0;
		for (double v : row) {
			total += Math.exp(v - max);
		}
		double log = max + Math.log(total);
		double[] out = new double[row.length];
		for (int i = 0; i < row.length; i++) {
			out[i] = row[i] - log;
		}
		return out;
	}

	private static List<SampledToken.Alternative> top(double[] logprobs, int k) {
		List<SampledToken.Alternative> out = new ArrayList<>(k);
		if (k == 0) {
			return out;
		}
		int[] best = new int[k];
		Arrays.fill(best, -1);
		for (int i = 0; i < logprobs.length; i++) {
			int at = k;
			while (at > 0 && (best[at - 1] < 0 || logprobs[i] > logprobs[best[at - 1]])) {
				at--;
			}
			if (at < k) {
				System.arraycopy(best, at, best, at + 1, k - at - 1);
				best[at] = i;
			}
		}
		for (int id : best) {
			if (id >= 0) {
				out.add(new SampledToken.Alternative(id, logprobs[id]));
			}
		}
		return out;
	}

}
