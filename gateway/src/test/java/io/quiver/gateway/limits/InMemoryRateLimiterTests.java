package io.quiver.gateway.limits;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryRateLimiterTests {

	private final InMemoryRateLimiter limiter = new InMemoryRateLimiter();

	@Test
	void whenOneCounterIsFullThenNoneIsCharged() {
		RateLimiter.Charge requests = new RateLimiter.Charge("r", 10, 1, Duration.ofMinutes(1));
		RateLimiter.Charge tokens = new RateLimiter.Charge("t", 100, 60, Duration.ofMinutes(1));
		assertThat(this.limiter.acquire(List.of(requests, tokens)).admitted()).isTrue();
		RateLimiter.Outcome refused = this.limiter.acquire(List.of(requests, tokens));
		assertThat(refused.refused()).isEqualTo(1);
		assertThat(this.limiter.acquire(List.of(requests)).values()[0]).isEqualTo(2);
	}

	@Test
	void whenSettledThenEstimatesAreReplacedAndNeverBelowZero() {
		RateLimiter.Charge tokens = new RateLimiter.Charge("t", 100, 80, Duration.ofMinutes(1));
		this.limiter.acquire(List.of(tokens));
		this.limiter.adjust(List.of(tokens.withAmount(-70)));
		assertThat(this.limiter.acquire(List.of(tokens)).values()[0]).isEqualTo(90);
		this.limiter.adjust(List.of(tokens.withAmount(-1000)));
		assertThat(this.limiter.acquire(List.of(tokens.withAmount(0))).values()[0]).isZero();
	}

	@Test
	void whenManyThreadsRaceThenExactlyTheLimitIsAdmitted() throws Exception {
		AtomicInteger admitted = new AtomicInteger();
		RateLimiter.Charge charge = new RateLimiter.Charge("race", 500, 1, Duration.ofMinutes(1));
		try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
			for (int i = 0; i < 2000; i++) {
				threads.submit(() -> {
					if (this.limiter.acquire(List.of(charge)).admitted()) {
						admitted.incrementAndGet();
					}
				});
			}
		}
		assertThat(admitted).hasValue(500);
	}

}
