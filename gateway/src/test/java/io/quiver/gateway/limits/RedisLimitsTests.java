package io.quiver.gateway.limits;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import io.quiver.gateway.TestGatewayReplicas;
import io.quiver.gateway.TestHttp;
import io.quiver.gateway.TestRedis;
import io.quiver.gateway.TestTenancy;
import io.quiver.gateway.TestTenancy.PopulatedTenant;
import io.quiver.tenancy.limit.LimitService;
import io.quiver.tenancy.limit.Limits;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two gateway replicas (this test's context and a second application on its own port)
 * share one Redis: under concurrent load on both, a tenant's requests per minute stay
 * within 5% of its limit, where per-replica counting would admit up to twice the limit.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RedisLimitsTests {

	private static final int LIMIT = 200;

	@LocalServerPort
	private int port;

	@Autowired
	private ApplicationContext context;

	@Autowired
	private LimitService limits;

	@Autowired
	private RateLimiter limiter;

	@Test
	void whenTwoReplicasShareRedisThenRequestsPerMinuteHoldWithinFivePercentOfTheLimit() throws Exception {
		Assumptions.assumeTrue(TestRedis.available(),
				() -> "No Redis answers at " + TestRedis.url() + " (set QUIVER_TEST_REDIS_URL); skipping");
		assertThat(this.limiter).isInstanceOf(RedisRateLimiter.class);
		PopulatedTenant tenant = TestTenancy.populatedTenant(this.context);
		this.limits.setForTenant(tenant.tenant(), new Limits(LIMIT, null, null, null, null), "test");
		try (ConfigurableApplicationContext second = TestGatewayReplicas.start()) {
			int secondPort = Integer.parseInt(second.getEnvironment().getProperty("local.server.port"));
			awaitFreshMinute();
			long minute = Instant.now().getEpochSecond() / 60;
			AtomicInteger[] admitted = { new AtomicInteger(), new AtomicInteger() };
			AtomicInteger refused = new AtomicInteger();
			List<String> problems = new ArrayList<>();
			TestHttp[] replicas = { new TestHttp(this.port), new TestHttp(secondPort) };
			String body = "{\"model\":\"" + tenant.adapter() + "\",\"prompt\":\"hi\",\"max_tokens\":1}";
			try (ExecutorService clients = Executors.newFixedThreadPool(32)) {
				List<Future<?>> calls = new ArrayList<>();
				for (int i = 0; i < 3 * LIMIT; i++) {
					int replica = i % 2;
					calls.add(clients.submit(() -> {
						HttpResponse<String> response = replicas[replica].post("/v1/completions", tenant.admin(), body);
						if (response.statusCode() == 200) {
							admitted[replica].incrementAndGet();
						}
						else if (response.statusCode() == 429) {
							refused.incrementAndGet();
							if (response.headers().firstValue("Retry-After").isEmpty()
									|| response.headers().firstValue("x-ratelimit-limit-requests").isEmpty()) {
								synchronized (problems) {
									problems.add("429 without Retry-After or x-ratelimit headers");
								}
							}
						}
						else {
							synchronized (problems) {
								problems.add(response.statusCode() + " " + response.body());
							}
						}
					}));
				}
				for (Future<?> call : calls) {
					call.get();
				}
			}
			assertThat(Instant.now().getEpochSecond() / 60).as("the load fitted in one minute window")
				.isEqualTo(minute);
			int total = admitted[0].get() + admitted[1].get();
			double error = Math.abs(total - LIMIT) * 100.0 / LIMIT;
			System.out.printf(Locale.ROOT,
					"Cross-replica limit: %d requests/min, %d sent to 2 replicas, %d admitted (%d + %d), %d refused,"
							+ " %.1f%% off the limit%n",
					LIMIT, 3 * LIMIT, total, admitted[0].get(), admitted[1].get(), refused.get(), error);
			assertThat(problems).isEmpty();
			assertThat(error).isLessThanOrEqualTo(5.0);
			assertThat(admitted[0].get()).isPositive();
			assertThat(admitted[1].get()).isPositive();
		}
	}

	/** Starts the load early in a minute, so that it cannot straddle two windows. */
	private static void awaitFreshMinute() throws InterruptedException {
		long second = Instant.now().getEpochSecond() % 60;
		if (second > 25) {
			Thread.sleep((60 - second) * 1000 + 200);
		}
	}

}
