package io.quiver.gateway.routing;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where the workers are, how they are chosen, and how long the gateway waits for them.
 *
 * @param workers static worker base URLs ({@code QUIVER_ROUTING_WORKERS}); an entry
 * {@code vllm+http://host:8000} names a vLLM server explicitly (otherwise its dialect is
 * detected); with neither workers nor a DNS name, {@code http://localhost:8081}
 * @param dnsName a name whose every address is a worker, e.g. a Kubernetes headless
 * service ({@code QUIVER_ROUTING_DNS_NAME}); re-resolved at every poll
 * @param dnsPort the workers' port behind {@code dnsName}
 * ({@code QUIVER_ROUTING_DNS_PORT})
 * @param refreshInterval how often each worker's {@code /status} is polled
 * @param connectTimeout how long to wait for a connection to a worker
 * @param firstByteTimeout how long a worker may take to start answering
 * @param idleTimeout the longest silence allowed between two chunks of a stream
 * @param totalTimeout how long one whole answer may take
 * @param maxAttempts how many workers one request may try, while nothing has reached the
 * client yet
 * @param maxQueueDepth a worker whose queue is this deep has no room for an adapter it
 * must load first
 * @param maxKvCacheUsage likewise, for the share of its KV cache in use (0..1)
 * @param homeWorkers the number of "home" workers an adapter is placed on when idle
 * @param maxHomeWorkers the most home workers a hot adapter grows to
 * @param requestsPerHome requests per second of one adapter that one home worker is
 * expected to carry; an adapter busier than that gets more homes
 * @param preloadThreshold requests per second above which an adapter is preloaded onto
 * every home worker that lacks it
 * @param pendingTimeout how long a request waits for a worker when none is ready (scale
 * from zero)
 * @param maxPending the most requests that wait at once; more are refused at once
 * @param tenantMaxConcurrent the most requests one tenant has in flight on this gateway
 * @param circuitFailureRate the failure rate (percent) that opens a worker's circuit
 * @param circuitMinimumCalls the calls a circuit needs to judge a failure rate
 * @param circuitOpenDuration how long an open circuit stays open before it lets probes
 * through
 * @param drainTimeout how long a gateway that shuts down waits for its streams to finish
 */
@ConfigurationProperties("quiver.routing")
@Validated
public record RoutingProperties(List<URI> workers, String dnsName, @DefaultValue("8081") int dnsPort,
		@DefaultValue("2s") Duration refreshInterval, @DefaultValue("2s") Duration connectTimeout,
		@DefaultValue("60s") Duration firstByteTimeout, @DefaultValue("30s") Duration idleTimeout,
		@DefaultValue("300s") Duration totalTimeout, @DefaultValue("3") @Min(1) @Max(10) int maxAttempts,
		@DefaultValue("16") @Min(0) int maxQueueDepth,
		@DefaultValue("0.9") @DecimalMin("0") @DecimalMax("1") double maxKvCacheUsage,
		@DefaultValue("2") @Min(1) int homeWorkers, @DefaultValue("8") @Min(1) int maxHomeWorkers,
		@DefaultValue("20") @DecimalMin("0.001") double requestsPerHome,
		@DefaultValue("1") @DecimalMin("0") double preloadThreshold, @DefaultValue("60s") Duration pendingTimeout,
		@DefaultValue("1000") @Min(0) int maxPending, @DefaultValue("256") @Min(1) int tenantMaxConcurrent,
		@DefaultValue("50") @Min(1) @Max(100) int circuitFailureRate,
		@DefaultValue("10") @Min(1) int circuitMinimumCalls, @DefaultValue("10s") Duration circuitOpenDuration,
		@DefaultValue("30s") Duration drainTimeout) {

	public RoutingProperties {
		// An empty QUIVER_ROUTING_WORKERS binds as one blank entry: it means none.
		workers = (workers != null) ? workers.stream().filter((uri) -> !uri.toString().isBlank()).toList() : List.of();
		dnsName = (dnsName != null && !dnsName.isBlank()) ? dnsName.trim() : null;
		if (workers.isEmpty() && dnsName == null) {
			workers = List.of(URI.create("http://localhost:8081"));
		}
		maxHomeWorkers = Math.max(maxHomeWorkers, homeWorkers);
	}

}
