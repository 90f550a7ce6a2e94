package io.quiver.worker.engine;

import java.util.List;
import java.util.Set;

import io.quiver.worker.adapter.AdapterSource;
import io.quiver.worker.sampler.SamplingParams;

/**
 * One request for completions of a prompt.
 *
 * @param requestId the id events and cancellation refer to
 * @param adapterId the adapter to apply, or null for the base model
 * @param adapterSource where to fetch the adapter when it is not held
 * @param prompt the prompt tokens
 * @param sampling how to sample
 * @param maxTokens the most tokens to generate per choice
 * @param stop stop strings (never part of the output)
 * @param stopTokenIds token ids that end a choice
 * @param ignoreEos keep generating past end-of-sequence tokens
 * @param n choices to generate
 */
public record GenerationRequest(String requestId, String adapterId, AdapterSource adapterSource, int[] prompt,
		SamplingParams sampling, int maxTokens, List<String> stop, Set<Integer> stopTokenIds, boolean ignoreEos,
		int n) {

	public GenerationRequest {
		stop = List.copyOf(stop);
		stopTokenIds = Set.copyOf(stopTokenIds);
		if (n < 1) {
			throw new IllegalArgumentException("n must be at least 1");
		}
	}

}
