package io.quiver.worker.sampler;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SamplerTests {

	private static final float[] LOGITS = { 1.0f, 3.0f, 2.5f, -1.0f, 0.0f };

	@Test
	void whenTemperatureIsZeroThenTheLargestLogitWins() {
		Sampler sampler = new Sampler(SamplingParams.GREEDY, 5, new int[0], 0);
		assertThat(sampler.sample(LOGITS, 0, 5).id()).isEqualTo(1);
	}

	@Test
	void whenSeedIsFixedThenDrawsRepeatAndAnotherSeedDrawsOtherwise() {
		int[] a = draws(params(1.0, 1.0, 0, 0, 11L), 200);
		int[] b = draws(params(1.0, 1.0, 0, 0, 11L), 200);
		int[] c = draws(params(1.0, 1.0, 0, 0, 12L), 200);
		assertThat(a).isEqualTo(b);
		assertThat(c).isNotEqualTo(a);
	}

	@Test
	void whenTopKIsTwoThenOnlyTheTwoMostLikelyAppear() {
		Set<Integer> seen = new HashSet<>();
		for (int id : draws(params(2.0, 1.0, 2, 0, 3L), 300)) {
			seen.add(id);
		}
		assertThat(seen).containsExactlyInAnyOrder(1, 2);
	}

	@Test
	void whenTopPIsSmallThenOnlyTheTopTokenAppears() {
		Set<Integer> seen = new HashSet<>();
		for (int id : draws(params(1.0, 0.1, 0, 0, 3L), 100)) {
			seen.add(id);
		}
		assertThat(seen).containsExactly(1);
	}

	@Test
	void whenMinPIsHighThenUnlikelyTokensAreDropped() {
		Set<Integer> seen = new HashSet<>();
		for (int id : draws(params(1.0, 1.0, 0, 0.5, 3L), 300)) {
			seen.add(id);
		}
		assertThat(seen).containsExactlyInAnyOrder(1, 2);
	}

	@Test
	void whenLogprobsAreAskedThenTheyAreNormalisedAndTopIsSorted() {
		Sampler sampler = new Sampler(new SamplingParams(0, 1, 0, 0, 0, 0, 1, null, 3), 5, new int[0], 0);
		SampledToken token = sampler.sample(LOGITS, 0, 5);
		double total = 0;
		for (float l : LOGITS) {
			total += Math.exp(l);
		}
		assertThat(token.logprob()).isCloseTo(3.0 - Math.log(total), within(1e-9));
		assertThat(token.top()).extracting(SampledToken.Alternative::id).containsExactly(1, 2, 0);
	}

	@Test
	void whenFrequencyPenaltyIsLargeThenARepeatedTokenLosesToTheRunnerUp() {
		Sampler sampler = new Sampler(new SamplingParams(0, 1, 0, 0, 0, 2.0, 1, null, -1), 5, new int[0], 0);
		assertThat(sampler.sample(LOGITS, 0, 5).id()).isEqualTo(1);
		assertThat(sampler.sample(LOGITS, 0, 5).id()).isEqualTo(2);
	}

	@Test
	void whenRowIsOffsetThenItsOwnLogitsAreRead() {
		float[] two = new float[10];
		System.arraycopy(LOGITS, 0, two, 5, 5);
		Sampler sampler = new Sampler(SamplingParams.GREEDY, 5, new int[0], 0);
		assertThat(sampler.sample(two, 5, 5).id()).isEqualTo(1);
	}

	private static SamplingParams params(double temperature, double topP, int topK, double minP, Long seed) {
		return new SamplingParams(temperature, topP, topK, minP, 0, 0, 1, seed, -1);
	}

	private static int[] draws(SamplingParams params, int n) {
		Sampler sampler = new Sampler(params, 5, new int[0], 0);
		int[] out = new int[n];
		for (int i = 0; i < n; i++) {
			out[i] = sampler.sample(LOGITS, 0, 5).id();
		}
		return out;
	}

}
