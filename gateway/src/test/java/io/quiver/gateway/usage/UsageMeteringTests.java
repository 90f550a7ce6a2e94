package io.quiver.gateway.usage;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import io.quiver.gateway.TestHttp;
import io.quiver.gateway.TestTenancy;
import io.quiver.gateway.TestTenancy.PopulatedTenant;
import io.quiver.gateway.TestWorker;
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
 * Every request is metered from the worker's own usage, streaming or not; a stream's
 * usage chunk reaches the client only if it asked for it; usage is append-only and
 * queryable per tenant per day.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class UsageMeteringTests {

	private static final String MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

	private final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	private int port;

	@Autowired
	private ApplicationContext context;

	@Autowired
	private JdbcTemplate jdbc;

	@Autowired
	private UsageRecorder recorder;

	@Test
	void whenRequestsRunThenTheirTokensAreRecordedAndReported() throws Exception {
		TestHttp http = new TestHttp(this.port);
		PopulatedTenant tenant = TestTenancy.populatedTenant(this.context);
		String model = tenant.adapter();

		HttpResponse<String> plain = http.post("/v1/chat/completions", tenant.admin(),
				"{\"model\":\"" + model + "\"," + MESSAGES + "}");
		assertThat(plain.statusCode()).isEqualTo(200);

		HttpResponse<String> silent = http.post("/v1/chat/completions", tenant.admin(),
				"{\"model\":\"" + model + "\",\"stream\":true," + MESSAGES + "}");
		assertThat(silent.body()).contains("data: [DONE]").contains("\"lo\"").doesNotContain("\"usage\"");
		TestWorker.Received forwarded = TestWorker.get()
			.received(silent.headers().firstValue("x-request-id").orElseThrow());
		assertThat(forwarded.body().path("stream_options").path("include_usage").asBoolean()).isTrue();

		HttpResponse<String> asked = http.post("/v1/chat/completions", tenant.admin(), "{\"model\":\"" + model
				+ "\",\"stream\":true,\"stream_options\":{\"include_usage\":true}," + MESSAGES + "}");
		assertThat(asked.body()).contains("\"usage\"").contains("data: [DONE]");

		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		Map<String, Object> totals;
		do {
			this.recorder.flush();
			totals = this.jdbc.queryForMap(
					"select count(*) as n, coalesce(sum(prompt_tokens), 0) as p, coalesce(sum(completion_tokens), 0) as c"
							+ " from usage_records where tenant_id = ?",
					tenant.tenant().getId());
			Thread.sleep(100);
		}
		while (((Number) totals.get("n")).longValue() < 3 && System.nanoTime() < deadline);
		assertThat(((Number) totals.get("n")).longValue()).isEqualTo(3);
		assertThat(((Number) totals.get("p")).longValue()).isEqualTo(21);
		assertThat(((Number) totals.get("c")).longValue()).isEqualTo(15);
		assertThat(this.jdbc.queryForObject("select adapter from usage_records where tenant_id = ? limit 1",
				String.class, tenant.tenant().getId()))
			.isEqualTo(tenant.slug() + "/" + model + "@v1");

		JsonNode report = this.json
			.readTree(http.get("/admin/v1/tenants/" + tenant.slug() + "/usage", tenant.admin()).body());
		assertThat(report.path("requests").asLong()).isEqualTo(3);
		assertThat(report.path("promptTokens").asLong()).isEqualTo(21);
		assertThat(report.path("completionTokens").asLong()).isEqualTo(15);

		assertThat(this.jdbc.queryForObject("select count(*) from usage_records", Long.class)).isPositive();
		org.assertj.core.api.Assertions
			.assertThatThrownBy(
					() -> this.jdbc.update("delete from usage_records where tenant_id = ?", tenant.tenant().getId()))
			.hasMessageContaining("append-only");
	}

}
