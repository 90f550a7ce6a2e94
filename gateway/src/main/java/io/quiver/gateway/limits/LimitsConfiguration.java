package io.quiver.gateway.limits;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Picks the {@link RateLimiter} by {@code quiver.limits.store}.
 */
@Configuration(proxyBeanMethods = false)
class LimitsConfiguration {

	@Bean
	RateLimiter rateLimiter(LimitsProperties properties, ObjectProvider<StringRedisTemplate> redis) {
		if ("redis".equals(properties.store())) {
			return new RedisRateLimiter(redis.getObject(), new InMemoryRateLimiter());
		}
		if (!"memory".equals(properties.store())) {
			throw new IllegalStateException("quiver.limits.store must be memory or redis");
		}
		return new InMemoryRateLimiter();
	}

}
