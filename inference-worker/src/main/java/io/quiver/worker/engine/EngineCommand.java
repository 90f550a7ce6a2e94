package io.quiver.worker.engine;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import io.quiver.worker.adapter.AdapterSource;
import io.quiver.worker.adapter.LoraWeights;

/**
 * What other threads ask of the engine thread; the only way in.
 */
sealed interface EngineCommand {

	record Submit(GenerationRequest request, Consumer<GenerationEvent> listener) implements EngineCommand {
	}

	record Cancel(String requestId) implements EngineCommand {
	}

	record AdapterReady(String requestId, LoraWeights weights, Throwable failure) implements EngineCommand {
	}

	record Evict(String adapterId, CompletableFuture<Boolean> done) implements EngineCommand {
	}

	record Preload(String adapterId, AdapterSource source, boolean pin,
			CompletableFuture<Void> done) implements EngineCommand {
	}

	record Warm(LoraWeights weights, Throwable failure, CompletableFuture<Void> done) implements EngineCommand {
	}

	record Stop() implements EngineCommand {
	}

}
