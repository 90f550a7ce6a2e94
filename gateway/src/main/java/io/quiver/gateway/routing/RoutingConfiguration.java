package io.quiver.gateway.routing;

import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The worker pool, the router, the proxy and their resilience and metrics.
 */
@Configuration(proxyBeanMethods = false)
class RoutingConfiguration {

	@Bean
	CircuitBreakerRegistry workerCircuitBreakers(RoutingProperties properties, MeterRegistry meters) {
		CircuitBreakerConfig config = CircuitBreakerConfig.custom()
			.slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
			.slidingWindowSize(properties.circuitMinimumCalls())
			.minimumNumberOfCalls(properties.circuitMinimumCalls())
			.failureRateThreshold(properties.circuitFailureRate())
			.waitDurationInOpenState(properties.circuitOpenDuration())
			// An open circuit turns half-open by itself, so the worker gets probe
			// requests even while others carry the traffic.
			.automaticTransitionFromOpenToHalfOpenEnabled(true)
			.permittedNumberOfCallsInHalfOpenState(3)
			.build();
		CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(config);
		TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
		return registry;
	}

	@Bean
	BulkheadRegistry tenantBulkheads(RoutingProperties properties, MeterRegistry meters) {
		BulkheadConfig config = BulkheadConfig.custom()
			.maxConcurrentCalls(properties.tenantMaxConcurrent())
			.maxWaitDuration(java.time.Duration.ZERO)
			.build();
		BulkheadRegistry registry = BulkheadRegistry.of(config);
		TaggedBulkheadMetrics.ofBulkheadRegistry(registry).bindTo(meters);
		return registry;
	}

	@Bean
	WorkerPool workerPool(RoutingProperties properties, JsonMapper json, CircuitBreakerRegistry workerCircuitBreakers) {
		return new WorkerPool(properties, json, workerCircuitBreakers);
	}

	@Bean
	WorkerRouter workerRouter(WorkerPool pool, RoutingProperties properties) {
		return new WorkerRouter(pool, properties);
	}

	@Bean
	AdapterPreloader adapterPreloader(WorkerPool pool, WorkerRouter router) {
		AdapterPreloader preloader = new AdapterPreloader(pool, router);
		pool.afterPoll(preloader::preloadHot);
		return preloader;
	}

	@Bean
	RoutingMetrics routingMetrics(MeterRegistry meters, WorkerPool pool) {
		return new RoutingMetrics(meters, pool);
	}

	@Bean(destroyMethod = "close")
	InferenceProxy inferenceProxy(WorkerPool pool, WorkerRouter router, AdapterPreloader preloader,
			BulkheadRegistry tenantBulkheads, RoutingMetrics metrics, JsonMapper json, RoutingProperties properties) {
		return new InferenceProxy(pool, router, preloader, tenantBulkheads, metrics, json, properties);
	}

	@Bean
	RoutingDrain routingDrain(InferenceProxy proxy, WorkerPool pool, RoutingProperties properties) {
		return new RoutingDrain(proxy, pool, properties.drainTimeout());
	}

}
