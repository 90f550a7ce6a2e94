package io.quiver.gateway.usage;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How usage is written.
 *
 * @param queueCapacity records held in memory before the request path has to wait
 * @param flushInterval the longest a record waits before it is written
 */
@ConfigurationProperties("quiver.usage")
record UsageProperties(@DefaultValue("100000") int queueCapacity, @DefaultValue("1s") Duration flushInterval) {
}
