package io.quiver.gateway.security;

import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Counts failed authentications per source address in fixed windows; a source that fails
 * too often is refused (429) until its window ends, which turns guessing keys or
 * replaying tokens into a slow trickle. Held per replica: an attacker spread over N
 * replicas gets at most N times the limit, still far too few guesses against 256-bit
 * keys.
 */
@Component
class AuthenticationFailureThrottle {

	private static final Logger log = LoggerFactory.getLogger(AuthenticationFailureThrottle.class);

	private static final int MAX_SOURCES = 100_000;

	private final int limit;

	private final long windowNanos;

	private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

	AuthenticationFailureThrottle(SecurityProperties properties) {
		this.limit = properties.failureLimit();
		this.windowNanos = properties.failureWindow().toNanos();
	}

	/**
	 * @param source the client's address
	 * @return seconds until the source may try again, or 0 if it may try now
	 */
	long refusedForSeconds(String source) {
		Window window = this.windows.get(source);
		long now = System.nanoTime();
		if (window == null || now - window.start >= this.windowNanos || window.failures < this.limit) {
			return 0;
		}
		return Math.max(1, (this.windowNanos - (now - window.start) + 999_999_999L) / 1_000_000_000L);
	}

	void recordFailure(String source) {
		if (this.windows.size() >= MAX_SOURCES) {
			this.windows.clear();
		}
		long now = System.nanoTime();
		Window updated = this.windows.compute(source,
				(key, window) -> (window == null || now - window.start >= this.windowNanos) ? new Window(now, 1)
						: new Window(window.start, window.failures + 1));
		if (updated.failures == this.limit) {
			log.warn("Refusing source {} after {} failed authentications", source, this.limit);
		}
	}

	private record Window(long start, int failures) {
	}

}
