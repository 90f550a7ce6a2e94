package io.quiver.worker.sampler;

/**
 * How one sequence samples.
 *
 * @param temperature 0 for greedy
 * @param topP nucleus mass, 1 for off
 * @param topK keep the k most likely, 0 for off
 * @param minP drop tokens below {@code minP ·} the top probability, 0 for off
 * @param presencePenalty subtracted once from each token already generated
 * @param frequencyPenalty subtracted per occurrence of each token already generated
 * @param repetitionPenalty divides positive (multiplies negative) logits of tokens in the
 * prompt or output, 1 for off
 * @param seed the seed, or null for a random one
 * @param topLogprobs how many alternatives to report per token, or -1 for no
 * log-probabilities
 */
public record SamplingParams(double temperature, double topP, int topK, double minP, double presencePenalty,
		double frequencyPenalty, double repetitionPenalty, Long seed, int topLogprobs) {

	public static final SamplingParams GREEDY = new SamplingParams(0, 1, 0, 0, 0, 0, 1, null, -1);

	public boolean greedy() {
		return this.temperature <= 0 || this.topK == 1;
	}

	public boolean penalized() {
		return this.presencePenalty != 0 || this.frequencyPenalty != 0 || this.repetitionPenalty != 1;
	}

}
