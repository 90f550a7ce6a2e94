package io.quiver.gateway.limits;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How limits are enforced.
 *
 * @param store {@code memory} (this replica's counters) or {@code redis} (shared by all
 * replicas, via {@code spring.data.redis.*}); with {@code redis}, a Redis outage degrades
 * to per-replica counters
 * @param policyCacheTtl how long a tenant's or key's limits are trusted without asking
 * the database again
 * @param completionEstimate tokens reserved for the completion when a request does not
 * state {@code max_tokens}; reconciled with the worker's count afterwards
 * @param concurrencyLease how long a concurrency slot lives if its release is lost (a
 * crashed replica)
 */
@ConfigurationProperties("quiver.limits")
@Validated
record LimitsProperties(@DefaultValue("memory") String store, @DefaultValue("10s") Duration policyCacheTtl,
		@DefaultValue("256") int completionEstimate, @DefaultValue("10m") Duration concurrencyLease) {
}
