package io.quiver.worker.sampler;

import java.util.List;

/**
 * A chosen token with, when asked for, its log-probability under the model and the most
 * likely alternatives.
 *
 * @param id the token id
 * @param logprob its log-probability, or NaN when not asked for
 * @param top the most likely tokens with their log-probabilities, most likely first
 */
public record SampledToken(int id, double logprob, List<Alternative> top) {

	/**
	 * One alternative token.
	 *
	 * @param id its id
	 * @param logprob its log-probability
	 */
	public record Alternative(int id, double logprob) {
	}

}
