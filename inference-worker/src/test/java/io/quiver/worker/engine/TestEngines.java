package io.quiver.worker.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import ai.djl.ndarray.NDManager;
import io.quiver.worker.adapter.LoraAdapter;
import io.quiver.worker.adapter.LoraBank;
import io.quiver.worker.adapter.LoraWeights;
import io.quiver.worker.model.ModelConfig;
import io.quiver.worker.sampler.SamplingParams;
import io.quiver.worker.scheduler.SchedulerConfig;

/**
 * Starts engines on demo models and runs requests to the end, for engine tests.
 */
final class TestEngines {

	private TestEngines() {
	}

	static InferenceEngine start(Path model, Path adapters, int maxRunning) throws IOException {
		EngineConfig config = new EngineConfig(new SchedulerConfig(maxRunning, Math.max(256, maxRunning), 256), 1024,
				16, 256, 64L << 20, 64L << 20);
		return InferenceEngine.start(model, adapters, config);
	}

	/** An adapter alone in a bank of its own. */
	static LoraAdapter standalone(ModelConfig config, LoraWeights weights, NDManager manager) {
		LoraBank bank = new LoraBank(config, LoraBank.bucket(weights.rank()), manager, 1);
		return new LoraAdapter(weights, bank, bank.add(weights));
	}

	static GenerationRequest greedy(String id, String adapter, int[] prompt, int tokens) {
		SamplingParams greedy = new SamplingParams(0, 1, 0, 0, 0, 0, 1, null, 0);
		return new GenerationRequest(id, adapter, null, prompt, greedy, tokens, List.of(), Set.of(), true, 1);
	}

	/** Submits a request and collects its tokens once it completes. */
	static CompletableFuture<List<GenerationEvent.TokenInfo>> run(InferenceEngine engine, GenerationRequest request) {
		CompletableFuture<List<GenerationEvent.TokenInfo>> done = new CompletableFuture<>();
		List<GenerationEvent.TokenInfo> tokens = new ArrayList<>();
		engine.submit(request, (event) -> {
			switch (event) {
				case GenerationEvent.Delta d -> tokens.addAll(d.tokens());
				case GenerationEvent.Completed c -> done.complete(tokens);
				case GenerationEvent.Failed f -> done.completeExceptionally(new IllegalStateException(f.message()));
				case GenerationEvent.Finished f -> {
				}
			}
		});
		return done;
	}

	static int[] ids(List<GenerationEvent.TokenInfo> tokens) {
		return tokens.stream().mapToInt(GenerationEvent.TokenInfo::id).toArray();
	}

	static int[] await(CompletableFuture<List<GenerationEvent.TokenInfo>> future) throws Exception {
		return ids(future.get(60, TimeUnit.SECONDS));
	}

}
