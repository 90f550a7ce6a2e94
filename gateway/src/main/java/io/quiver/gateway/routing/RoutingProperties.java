package io.quiver.gateway.routing;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the workers are and how long to wait for them.
 *
 * @param workers the workers' base URLs
 * @param connectTimeout how long to wait for a connection to a worker
 * @param responseTimeout how long a whole non-streaming answer (or the gap before a
 * stream's first byte) may take
 * @param refreshInterval how often each worker's models and health are polled
 */
@ConfigurationProperties("quiver.routing")
public record RoutingProperties(@DefaultValue("http://localhost:8081") List<URI> workers,
		@DefaultValue("2s") Duration connectTimeout, @DefaultValue("300s") Duration responseTimeout,
		@DefaultValue("5s") Duration refreshInterval) {
}
