package io.quiver.worker.api;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quiver.worker.adapter.AdapterMetrics;
import io.quiver.worker.adapter.AdapterTier;
import io.quiver.worker.engine.EngineMetrics;
import io.quiver.worker.engine.InferenceEngine;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

/**
 * Publishes the engine's counters as Prometheus meters ({@code /actuator/prometheus}):
 * queue depth, running sequences, KV-cache use, batch size, tokens, step time, adapter
 * loads, evictions and hits by tier; and histograms of time to first token and time per
 * output token.
 */
@Component
class EngineMeters implements SmartInitializingSingleton {

	private final InferenceEngine engine;

	private final MeterRegistry registry;

	EngineMeters(InferenceEngine engine, MeterRegistry registry) {
		this.engine = engine;
		this.registry = registry;
	}

	@Override
	public void afterSingletonsInstantiated() {
		InferenceEngine e = this.engine;
		EngineMetrics m = e.metrics();
		AdapterMetrics a = e.adapters().metrics();
		Gauge.builder("quiver.worker.queue.depth", e, (x) -> x.status().waiting()).register(this.registry);
		Gauge.builder("quiver.worker.running", e, (x) -> x.status().running()).register(this.registry);
		Gauge.builder("quiver.worker.kv.cache.usage", e, (x) -> x.status().kvUsage()).register(this.registry);
		Gauge.builder("quiver.worker.batch.rows", m, EngineMetrics::lastBatchRows).register(this.registry);
		Gauge.builder("quiver.worker.draining", e, (x) -> x.status().draining() ? 1 : 0).register(this.registry);
		FunctionCounter.builder("quiver.worker.steps", m, EngineMetrics::steps).register(this.registry);
		// Not "batch.rows.total": Prometheus would name it
		// quiver_worker_batch_rows_total,
		// whose base name clashes with the gauge above, and refuse to register it.
		FunctionCounter.builder("quiver.worker.forward.rows", m, EngineMetrics::rows)
			.description("Rows run through forward passes, decode and prefill")
			.register(this.registry);
		FunctionCounter.builder("quiver.worker.generated.tokens", m, EngineMetrics::sampledTokens)
			.register(this.registry);
		FunctionCounter.builder("quiver.worker.step.seconds", m, EngineMetrics::stepSeconds).register(this.registry);
		Timer timeToFirstToken = Timer.builder("quiver.worker.time.to.first.token")
			.description("Time from a request's arrival to each of its sequences' first token")
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofMillis(1))
			.maximumExpectedValue(Duration.ofMinutes(2))
			.register(this.registry);
		Timer timePerOutputToken = Timer.builder("quiver.worker.time.per.output.token")
			.description("Per finished sequence: time from its first token to its last over the tokens after the first")
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofMillis(1))
			.maximumExpectedValue(Duration.ofSeconds(30))
			.register(this.registry);
		m.listen(new EngineMetrics.LatencyListener() {

			@Override
			public void timeToFirstToken(long nanos) {
				timeToFirstToken.record(nanos, TimeUnit.NANOSECONDS);
			}

			@Override
			public void timePerOutputToken(long nanos) {
				timePerOutputToken.record(nanos, TimeUnit.NANOSECONDS);
			}

		});
		FunctionCounter.builder("quiver.worker.adapter.loads", a, AdapterMetrics::loads).register(this.registry);
		FunctionCounter.builder("quiver.worker.adapter.load.seconds", a, AdapterMetrics::loadSeconds)
			.register(this.registry);
		FunctionCounter.builder("quiver.worker.adapter.load.failures", a, AdapterMetrics::failures)
			.register(this.registry);
		for (AdapterTier tier : new AdapterTier[] { AdapterTier.HOST, AdapterTier.DEVICE }) {
			String name = tier.name().toLowerCase(java.util.Locale.ROOT);
			FunctionCounter.builder("quiver.worker.adapter.hits", a, (x) -> x.hits(tier))
				.tag("tier", name)
				.register(this.registry);
			FunctionCounter.builder("quiver.worker.adapter.evictions", a, (x) -> x.evictions(tier))
				.tag("tier", name)
				.register(this.registry);
		}
	}

}
