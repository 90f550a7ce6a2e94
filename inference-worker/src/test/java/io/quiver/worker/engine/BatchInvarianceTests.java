package io.quiver.worker.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.quiver.worker.demo.DemoModel;
import io.quiver.worker.weights.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class BatchInvarianceTests {

	@TempDir
	Path dir;

	@Test
	void whenRequestRunsInsideABatchOf32MixedAdapterRequestsThenItsGreedyTokensAreUnchanged() throws Exception {
		Path model = this.dir.resolve("tiny");
		DemoModel.generate(model, DemoModel.Shape.TINY);
		Path adapters = this.dir.resolve("adapters");
		DemoModel.generateAdapters(model, adapters);
		List<DemoModel.AdapterSpec> more = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			more.add(new DemoModel.AdapterSpec("extra-" + i, (i % 2 == 0) ? 8 : 16, 16,
					(i % 3 == 0) ? DemoModel.ALL_MODULES : List.of("q_proj", "v_proj", "down_proj"), i == 1,
					// the odd ones saved in bf16, so that the kernel reads both kinds of
					// slot
					(i % 2 == 1) ? DType.BF16 : DType.F32));
		}
		DemoModel.generateAdapters(model, adapters, more);
		String[] models = { null, "demo-legal", "demo-sql", "demo-support", "extra-0", "extra-1", "extra-2", "extra-3",
				"extra-4", "extra-5" };
		try (InferenceEngine engine = TestEngines.start(model, adapters, 32)) {
			List<int[]> alone = new ArrayList<>();
			for (int i = 0; i < 32; i++) {
				alone.add(TestEngines.await(TestEngines.run(engine,
						TestEngines.greedy("alone-" + i, models[i % models.length], prompt(i), 12))));
			}
			List<CompletableFuture<List<GenerationEvent.TokenInfo>>> together = new ArrayList<>();
			for (int i = 0; i < 32; i++) {
				together.add(TestEngines.run(engine,
						TestEngines.greedy("batch-" + i, models[i % models.length], prompt(i), 12)));
			}
			for (int i = 0; i < 32; i++) {
				assertThat(TestEngines.await(together.get(i))).as("request %d", i).isEqualTo(alone.get(i));
			}
			assertThat(engine.metrics().lastBatchRows()).isPositive();
			assertThat(engine.status().steps()).isLessThan(32 * 13 + 13 * 2);
		}
	}

	private static int[] prompt(int i) {
		int[] prompt = new int[3 + i % 7];
		for (int t = 0; t < prompt.length; t++) {
			prompt[t] = 3 + (i * 31 + t * 17) % 300;
		}
		return prompt;
	}

}
