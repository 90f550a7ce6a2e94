package io.quiver.gateway.routing;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The routing and generation metrics, with OpenTelemetry GenAI names where they exist.
 * Meters are resolved once and cached, so recording on the request path is a map lookup
 * at most.
 * <ul>
 * <li>{@code quiver_gateway_pending_requests}: requests waiting for a worker (what KEDA
 * wakes the pool on)</li>
 * <li>{@code quiver_gateway_workers_ready}: workers in rotation</li>
 * <li>{@code quiver_gateway_routing_decisions_total{outcome=hit|placed|spilled|base}}</li>
 * <li>{@code quiver_gateway_upstream_errors_total{error_type}}: worker failures by kind
 * ({@code connect}, {@code timeout}, {@code status_5xx}, {@code malformed},
 * {@code broken_stream}, {@code truncated_stream}, {@code circuit_open},
 * {@code bulkhead_full})</li>
 * <li>{@code gen_ai_server_request_duration_seconds{gen_ai_operation_name}}</li>
 * <li>{@code gen_ai_server_time_to_first_token_seconds{gen_ai_operation_name}}</li>
 * <li>{@code gen_ai_client_token_usage_tokens{gen_ai_token_type=input|output,
 * quiver_tenant, gen_ai_request_model}}</li>
 * <li>{@code resilience4j_circuitbreaker_state{name=<worker>}} and the bulkhead gauges,
 * bound from Resilience4j's own registries</li>
 * </ul>
 */
public class RoutingMetrics {

	private final MeterRegistry registry;

	private final Map<RouteOutcome, Counter> decisions = new EnumMap<>(RouteOutcome.class);

	private final Map<String, Counter> errors = new ConcurrentHashMap<>();

	private final Map<String, Timer> durations = new ConcurrentHashMap<>();

	private final Map<String, Timer> firstTokens = new ConcurrentHashMap<>();

	private final Map<String, DistributionSummary[]> tokens = new ConcurrentHashMap<>();

	RoutingMetrics(MeterRegistry registry, WorkerPool pool) {
		this.registry = registry;
		for (RouteOutcome outcome : RouteOutcome.values()) {
			this.decisions.put(outcome,
					Counter.builder("quiver.gateway.routing.decisions")
						.description("Routing decisions by outcome")
						.tag("outcome", outcome.value())
						.register(registry));
		}
		Gauge.builder("quiver.gateway.pending.requests", pool, WorkerPool::pending)
			.description("Requests waiting for a ready inference worker")
			.register(registry);
		Gauge.builder("quiver.gateway.workers.ready", pool, RoutingMetrics::ready)
			.description("Inference workers in rotation")
			.register(registry);
	}

	void decision(RouteOutcome outcome) {
		this.decisions.get(outcome).increment();
	}

	void error(String type) {
		this.errors
			.computeIfAbsent(type,
					(key) -> Counter.builder("quiver.gateway.upstream.errors")
						.description("Worker failures by kind")
						.tag("error.type", key)
						.register(this.registry))
			.increment();
	}

	void duration(String operation, long nanos) {
		this.durations
			.computeIfAbsent(operation,
					(key) -> Timer.builder("gen_ai.server.request.duration")
						.description("Generation request duration at the gateway")
						.tag("gen_ai.operation.name", key)
						.publishPercentileHistogram()
						.maximumExpectedValue(Duration.ofMinutes(5))
						.register(this.registry))
			.record(nanos, TimeUnit.NANOSECONDS);
	}

	void firstToken(String operation, long nanos) {
		this.firstTokens
			.computeIfAbsent(operation,
					(key) -> Timer.builder("gen_ai.server.time_to_first_token")
						.description("Time to the first streamed chunk")
						.tag("gen_ai.operation.name", key)
						.publishPercentileHistogram()
						.maximumExpectedValue(Duration.ofMinutes(1))
						.register(this.registry))
			.record(nanos, TimeUnit.NANOSECONDS);
	}

	void tokens(String tenant, String model, long input, long output) {
		if (input <= 0 && output <= 0) {
			return;
		}
		DistributionSummary[] pair = this.tokens.computeIfAbsent(tenant + '\u0000' + model,
				(key) -> new DistributionSummary[] { tokenSummary(tenant, model, "input"),
						tokenSummary(tenant, model, "output") });
		if (input > 0) {
			pair[0].record(input);
		}
		if (output > 0) {
			pair[1].record(output);
		}
	}

	private DistributionSummary tokenSummary(String tenant, String model, String type) {
		return DistributionSummary.builder("gen_ai.client.token.usage")
			.description("Tokens per request, by tenant and model or adapter")
			.baseUnit("tokens")
			.tag("gen_ai.token.type", type)
			.tag("quiver.tenant", tenant)
			.tag("gen_ai.request.model", model)
			.register(this.registry);
	}

	private static double ready(WorkerPool pool) {
		int ready = 0;
		for (Worker worker : pool.workers()) {
			if (worker.isReady()) {
				ready++;
			}
		}
		return ready;
	}

}
