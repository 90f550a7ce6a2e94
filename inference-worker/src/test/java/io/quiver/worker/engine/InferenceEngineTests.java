package io.quiver.worker.engine;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import io.quiver.worker.demo.DemoModel;
import io.quiver.worker.sampler.SamplingParams;
import io.quiver.worker.scheduler.SchedulerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class InferenceEngineTests {

	@TempDir
	Path dir;

	@Test
	void whenTheQueueIsFullOrDrainingThenRequestsAreRefusedWithTheirStatus() throws Exception {
		DemoModel.generate(this.dir, DemoModel.Shape.TINY);
		EngineConfig config = new EngineConfig(new SchedulerConfig(1, 16, 0), 64, 16, 8, 1 << 20, 1 << 20);
		try (InferenceEngine engine = InferenceEngine.start(this.dir, null, config)) {
			CompletableFuture<List<GenerationEvent.TokenInfo>> first = TestEngines.run(engine,
					TestEngines.greedy("a", null, new int[] { 3, 4 }, 40));
			assertThatExceptionOfType(EngineRejectedException.class)
				.isThrownBy(() -> TestEngines.run(engine, TestEngines.greedy("b", null, new int[] { 3 }, 2)))
				.satisfies((ex) -> assertThat(ex.status()).isEqualTo(429));
			assertThat(TestEngines.await(first)).hasSize(40);
			assertThatIllegalArgumentException()
				.isThrownBy(() -> TestEngines.run(engine, TestEngines.greedy("long", null, new int[64], 2)));
			engine.drain();
			assertThatExceptionOfType(EngineRejectedException.class)
				.isThrownBy(() -> TestEngines.run(engine, TestEngines.greedy("c", null, new int[] { 3 }, 2)))
				.satisfies((ex) -> assertThat(ex.status()).isEqualTo(503));
			assertThat(engine.status().draining()).isTrue();
		}
	}

	@Test
	void whenChoicesShareAPromptThenOnlyItsFirstCopyIsPrefilledInFull() throws Exception {
		DemoModel.generate(this.dir, DemoModel.Shape.TINY);
		try (InferenceEngine engine = TestEngines.start(this.dir, null, 4)) {
			int[] prompt = new int[40];
			for (int i = 0; i < prompt.length; i++) {
				prompt[i] = 3 + i;
			}
			GenerationRequest request = new GenerationRequest("n3", null, null, prompt,
					TestEngines.greedy("n3", null, prompt, 4).sampling(), 4, List.of(), Set.of(), true, 3);
			assertThat(TestEngines.await(TestEngines.run(engine, request))).hasSize(12);
			// a one-token prompt is a decode row: it only makes the status catch up
			TestEngines.await(TestEngines.run(engine, TestEngines.greedy("next", null, new int[] { 3 }, 1)));
			// 16-token blocks: the first choice prefills 40 tokens, the others take its
			// two
			// full blocks and compute the last 8 themselves (3 x 40 = 120 without
			// sharing)
			assertThat(engine.status().promptTokens()).isEqualTo(40 + 2 * 8);
		}
	}

	@Test
	void whenTextIsHeldBackThenTheDeltasStillCountEveryTokenDrawn() throws Exception {
		DemoModel.generate(this.dir, DemoModel.Shape.TINY);
		try (InferenceEngine engine = TestEngines.start(this.dir, null, 4)) {
			// a stop string that each "e" might begin holds text back, without logprobs
			GenerationRequest request = new GenerationRequest("held", null, null, new int[] { 3, 4, 5 },
					SamplingParams.GREEDY, 30, List.of("e-never-seen"), Set.of(), true, 2);
			int[] drawn = new int[2];
			CompletableFuture<Integer> completion = new CompletableFuture<>();
			engine.submit(request, (event) -> {
				switch (event) {
					case GenerationEvent.Delta d -> {
						assertThat(d.tokens()).isEmpty();
						assertThat(d.drawn()).isPositive();
						drawn[d.index()] += d.drawn();
					}
					case GenerationEvent.Completed c -> completion.complete(c.completionTokens());
					case GenerationEvent.Failed f -> completion.completeExceptionally(new AssertionError(f.message()));
					case GenerationEvent.Finished f -> {
					}
				}
			});
			assertThat(completion.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(60);
			assertThat(drawn).containsExactly(30, 30);
		}
	}

	@Test
	void whenARequestIsCancelledThenItsSequencesLeaveTheEngine() throws Exception {
		DemoModel.generate(this.dir, DemoModel.Shape.TINY);
		try (InferenceEngine engine = TestEngines.start(this.dir, null, 4)) {
			GenerationRequest request = new GenerationRequest("long", null, null, new int[] { 3, 4, 5 },
					SamplingParams.GREEDY, 900, List.of(), Set.of(), true, 2);
			engine.submit(request, (event) -> {
			});
			engine.cancel("long");
			long deadline = System.currentTimeMillis() + 10_000;
			while (engine.outstanding() > 0 && System.currentTimeMillis() < deadline) {
				Thread.sleep(10);
			}
			assertThat(engine.outstanding()).isZero();
			assertThat(TestEngines.await(TestEngines.run(engine, TestEngines.greedy("next", null, new int[] { 3 }, 3))))
				.hasSize(3);
		}
	}

}
