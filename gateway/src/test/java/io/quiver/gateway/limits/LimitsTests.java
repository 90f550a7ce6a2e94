package io.quiver.gateway.limits;

import java.net.http.HttpResponse;
import java.time.Instant;

import io.quiver.gateway.TestHttp;
import io.quiver.gateway.TestTenancy;
import io.quiver.gateway.TestTenancy.PopulatedTenant;
import io.quiver.tenancy.limit.LimitService;
import io.quiver.tenancy.limit.Limits;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Limits on the request path, with this replica's counters: requests per minute per
 * tenant and per key, and token budgets reserved ahead and settled with the worker's
 * count. Refusals are 429s as OpenAI sends them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class LimitsTests {

	private static final String CHAT = "{\"model\":\"%s\",\"max_tokens\":1,"
			+ "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

	@LocalServerPort
	private int port;

	@Autowired
	private ApplicationContext context;

	@Autowired
	private LimitService limits;

	@Autowired
	private JdbcTemplate jdbc;

	private final JsonMapper json = JsonMapper.builder().build();

	@Test
	void whenRequestsPerMinuteAreUsedUpThen429WithRetryAfterAndRateLimitHeaders() {
		TestHttp http = new TestHttp(this.port);
		PopulatedTenant tenant = TestTenancy.populatedTenant(this.context);
		this.limits.setForTenant(tenant.tenant(), new Limits(3, 100_000L, null, null, null), "test");
		awaitRoomInThisMinute();
		for (int i = 0; i < 3; i++) {
			HttpResponse<String> admitted = chat(http, tenant);
			assertThat(admitted.statusCode()).as(admitted.body()).isEqualTo(200);
			assertThat(admitted.headers().firstValue("x-ratelimit-limit-requests")).hasValue("3");
			assertThat(admitted.headers().firstValue("x-ratelimit-remaining-requests"))
				.hasValue(Integer.toString(2 - i));
			assertThat(admitted.headers().firstValue("x-ratelimit-limit-tokens")).hasValue("100000");
			assertThat(admitted.headers().firstValue("x-ratelimit-reset-requests")).isPresent();
		}
		HttpResponse<String> refused = chat(http, tenant);
		assertThat(refused.statusCode()).isEqualTo(429);
		assertThat(Integer.parseInt(refused.headers().firstValue("Retry-After").orElseThrow())).isBetween(1, 61);
		assertThat(refused.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
		assertThat(refused.body()).contains("\"type\":\"rate_limit_error\"")
			.contains("\"code\":\"rate_limit_exceeded\"");
	}

	@Test
	void whenKeyHasItsOwnLimitThenItBindsBeforeTheTenants() {
		TestHttp http = new TestHttp(this.port);
		PopulatedTenant tenant = TestTenancy.populatedTenant(this.context);
		this.limits.setForKey(tenant.tenant(), tenant.apiKey(), new Limits(1, null, null, null, null), "test");
		awaitRoomInThisMinute();
		assertThat(chat(http, tenant).statusCode()).isEqualTo(200);
		assertThat(chat(http, tenant).statusCode()).isEqualTo(429);
		String member = tenant.credentials().get("api key: member");
		assertThat(http.post("/v1/chat/completions", member, CHAT.formatted(tenant.adapter())).statusCode())
			.isEqualTo(200);
	}

	@Test
	void whenLimitedKeyIsRotatedThroughTheAdminApiThenItsSuccessorIsLimitedTheSame() {
		TestHttp http = new TestHttp(this.port);
		PopulatedTenant tenant = TestTenancy.populatedTenant(this.context);
		this.limits.setForKey(tenant.tenant(), tenant.apiKey(), new Limits(1, null, null, null, null), "test");
		HttpResponse<String> rotated = http.post(
				"/admin/v1/tenants/" + tenant.slug() + "/api-keys/" + tenant.apiKey() + "/rotate", tenant.admin(),
				"{\"overlap\":\"PT0S\"}");
		assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(201);
		JsonNode body = this.json.readTree(rotated.body());
		String successor = body.path("key").path("id").asString();
		String secret = body.path("secret").asString();

		HttpResponse<String> limits = http
			.get("/admin/v1/tenants/" + tenant.slug() + "/api-keys/" + successor + "/limits", secret);
		assertThat(limits.statusCode()).as(limits.body()).isEqualTo(200);
		assertThat(this.json.readTree(limits.body()).path("requestsPerMinute").asInt()).isEqualTo(1);
		awaitRoomInThisMinute();
		assertThat(http.post("/v1/chat/completions", secret, CHAT.formatted(tenant.adapter())).statusCode())
			.isEqualTo(200);
		assertThat(http.post("/v1/chat/completions", secret, CHAT.formatted(tenant.adapter())).statusCode())
			.isEqualTo(429);
		assertThat(this.jdbc.queryForObject(
				"select count(*) from audit_event where tenant = ? and action = 'limits.changed' and resource_id = ?",
				Integer.class, tenant.slug(), successor))
			.isEqualTo(1);
	}

	@Test
	void whenTokenBudgetIsSpentThenInsufficientQuotaAndReservationsAreSettledWithRealUsage() {
		TestHttp http = new TestHttp(this.port);
		PopulatedTenant tenant = TestTenancy.populatedTenant(this.context);
		// Each request reserves about 25 tokens (its size / 4 + max_tokens) and uses 12.
		this.limits.setForTenant(tenant.tenant(), new Limits(null, null, null, 100L, "day"), "test");
		int admitted = 0;
		HttpResponse<String> last = null;
		for (int i = 0; i < 20; i++) {
			last = chat(http, tenant);
			if (last.statusCode() != 200) {
				break;
			}
			admitted++;
		}
		assertThat(last.statusCode()).isEqualTo(429);
		assertThat(last.body()).contains("insufficient_quota");
		// Without settling, only 4 reservations of ~25 would have fit into 100.
		assertThat(admitted).isBetween(5, 8);
	}

	private static HttpResponse<String> chat(TestHttp http, PopulatedTenant tenant) {
		return http.post("/v1/chat/completions", tenant.admin(), CHAT.formatted(tenant.adapter()));
	}

	/**
	 * Requests per minute are counted per calendar minute, so a burst that straddles two
	 * minutes is counted in both: start it with at least 15 s of the minute left.
	 */
	private static void awaitRoomInThisMinute() {
		long second = Instant.now().getEpochSecond() % 60;
		if (second >= 45) {
			try {
				Thread.sleep((60 - second) * 1000 + 100);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
