package io.quiver.worker.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.quiver.worker.adapter.LoraBank;
import io.quiver.worker.demo.DemoModel;
import io.quiver.worker.weights.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class BatchInvarianceTests {

	@TempDir
	Path dir;

	@Test
	void whenRequestRunsInsideABatchOf32MixedAdapterRequestsThenItsGreedyTokensAreUnchanged() throws Exception {
		Path model = tinyModel();
		Path adapters = this.dir.resolve("adapters");
		String[] models = withMoreAdapters(model, adapters);
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

	@Test
	void whenOneAdaptersDecodeRowsRunThroughTheKernelThenTheyDecodeAsThroughPyTorch() throws Exception {
		// Decode rows of a single adapter go through the LoRA kernel where it runs; with
		// it turned off they go through PyTorch's matmuls, one pair per group. One
		// request alone, then three of the same adapter at once (one slot, three rows),
		// for an adapter saved in fp32 and one in bf16.
		Path model = tinyModel();
		Path adapters = this.dir.resolve("adapters");
		withMoreAdapters(model, adapters);
		List<List<List<GenerationEvent.TokenInfo>>> runs = new ArrayList<>();
		try (InferenceEngine engine = TestEngines.start(model, adapters, 16)) {
			for (boolean kernel : new boolean[] { true, false }) {
				LoraBank.preferRowsKernel(kernel);
				List<List<GenerationEvent.TokenInfo>> tokens = new ArrayList<>();
				for (String adapter : new String[] { "demo-sql", "extra-3" }) {
					tokens.add(TestEngines.run(engine, TestEngines.greedy(kernel + adapter, adapter, prompt(1), 10))
						.get(60, TimeUnit.SECONDS));
					List<CompletableFuture<List<GenerationEvent.TokenInfo>>> together = new ArrayList<>();
					for (int i = 0; i < 3; i++) {
						together.add(TestEngines.run(engine,
								TestEngines.greedy(kernel + adapter + i, adapter, prompt(i + 2), 10)));
					}
					for (CompletableFuture<List<GenerationEvent.TokenInfo>> request : together) {
						tokens.add(request.get(60, TimeUnit.SECONDS));
					}
				}
				runs.add(tokens);
			}
		}
		finally {
			LoraBank.preferRowsKernel(true);
		}
		assertSameTokens(runs.get(0), runs.get(1));
	}

	private static void assertSameTokens(List<List<GenerationEvent.TokenInfo>> expected,
			List<List<GenerationEvent.TokenInfo>> actual) {
		assertThat(actual).hasSameSizeAs(expected);
		for (int i = 0; i < expected.size(); i++) {
			assertThat(actual.get(i)).as("request %d", i).hasSize(10).hasSameSizeAs(expected.get(i));
			for (int t = 0; t < expected.get(i).size(); t++) {
				assertThat(actual.get(i).get(t).id()).as("request %d token %d", i, t)
					.isEqualTo(expected.get(i).get(t).id());
				assertThat(actual.get(i).get(t).logprob()).as("request %d token %d", i, t)
					.isCloseTo(expected.get(i).get(t).logprob(), within(1e-4));
			}
		}
	}

	@Test
	void whenTheStepsBetweenMatmulsRunAsTensorsThenABatchDecodesAsWithTheJavaSteps() throws Exception {
		// On a CPU the forward pass takes its Java steps, where the LoRA kernel adds the
		// deltas of decode rows into the rows the Java steps read; the tensor path is
		// what a GPU runs. Both over the same batch of prefill and decode rows of many
		// adapters, several of them in each rank's bank.
		assertABatchDecodesTheSameEitherWay(Transformer::preferJavaSteps);
	}

	@Test
	void whenPromptsOfManyAdaptersArePrefilledThroughTheKernelThenTheyDecodeAsThroughPyTorch() throws Exception {
		// On a CPU a bank's prefill rows go through the LoRA kernel with its decode rows,
		// in one call that skips the rows between them: the base model's prompts and the
		// other bank's. With the kernel turned off, each prompt's chunk goes through
		// PyTorch's matmuls. Sixteen requests submitted at once, so that their prompts
		// are prefilled side by side.
		assertABatchDecodesTheSameEitherWay(LoraBank::preferRowsKernel);
	}

	/**
	 * Runs the same batch with a path of the engine preferred and not, and holds the
	 * tokens of the two runs together; the path is preferred again afterwards.
	 */
	private void assertABatchDecodesTheSameEitherWay(Consumer<Boolean> prefer) throws Exception {
		Path model = tinyModel();
		Path adapters = this.dir.resolve("adapters");
		String[] models = withMoreAdapters(model, adapters);
		List<List<List<GenerationEvent.TokenInfo>>> runs = new ArrayList<>();
		try (InferenceEngine engine = TestEngines.start(model, adapters, 16)) {
			for (boolean preferred : new boolean[] { true, false }) {
				prefer.accept(preferred);
				runs.add(together(engine, preferred ? "preferred-" : "other-", models));
			}
		}
		finally {
			prefer.accept(true);
		}
		assertSameTokens(runs.get(0), runs.get(1));
	}

	/** Sixteen requests submitted at once, cycling through the models, 10 tokens each. */
	private static List<List<GenerationEvent.TokenInfo>> together(InferenceEngine engine, String prefix,
			String[] models) throws Exception {
		List<CompletableFuture<List<GenerationEvent.TokenInfo>>> together = new ArrayList<>();
		for (int i = 0; i < 16; i++) {
			together
				.add(TestEngines.run(engine, TestEngines.greedy(prefix + i, models[i % models.length], prompt(i), 10)));
		}
		List<List<GenerationEvent.TokenInfo>> tokens = new ArrayList<>();
		for (CompletableFuture<List<GenerationEvent.TokenInfo>> request : together) {
			tokens.add(request.get(60, TimeUnit.SECONDS));
		}
		return tokens;
	}

	/**
	 * Adds six adapters to the demo ones: three more in each of the rank-8 and rank-16
	 * banks, of all modules or a few, half of them saved in bf16.
	 * @return the models to cycle requests through, the base model (null) first
	 */
	private static String[] withMoreAdapters(Path model, Path adapters) throws Exception {
		List<DemoModel.AdapterSpec> more = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			more.add(new DemoModel.AdapterSpec("extra-" + i, (i % 2 == 0) ? 8 : 16, 16,
					(i % 3 == 0) ? DemoModel.ALL_MODULES : List.of("q_proj", "v_proj", "down_proj"), i == 1,
					// the odd ones saved in bf16, so that the kernel reads both kinds of
					// slot
					(i % 2 == 1) ? DType.BF16 : DType.F32));
		}
		DemoModel.generateAdapters(model, adapters, more);
		return new String[] { null, "demo-legal", "demo-sql", "demo-support", "extra-0", "extra-1", "extra-2",
				"extra-3", "extra-4", "extra-5" };
	}

	/** The tiny demo model, with the demo adapters in {@code adapters}. */
	private Path tinyModel() throws Exception {
		Path model = this.dir.resolve("tiny");
		DemoModel.generate(model, DemoModel.Shape.TINY);
		DemoModel.generateAdapters(model, this.dir.resolve("adapters"));
		return model;
	}

	private static int[] prompt(int i) {
		int[] prompt = new int[3 + i % 7];
		for (int t = 0; t < prompt.length; t++) {
			prompt[t] = 3 + (i * 31 + t * 17) % 300;
		}
		return prompt;
	}

}
