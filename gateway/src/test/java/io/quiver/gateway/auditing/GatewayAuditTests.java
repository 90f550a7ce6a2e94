package io.quiver.gateway.auditing;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.quiver.gateway.TestCallers;
import io.quiver.gateway.TestCallers.TenantKey;
import io.quiver.gateway.TestHttp;
import io.quiver.tenancy.apikey.ApiKeySecret;
import io.quiver.tenancy.apikey.ApiKeyService;
import io.quiver.tenancy.apikey.IssuedApiKey;
import io.quiver.tenancy.tenant.TenantService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's side of the audit trail, over real HTTP and PostgreSQL: admin changes,
 * refused credentials and inference requests all land in the right tenant's chain, which
 * verifies, and none carries a secret.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "quiver.routing.workers=http://127.0.0.1:9", "quiver.routing.pending-timeout=500ms",
				"quiver.audit.writer.flush-interval=50ms" })
class GatewayAuditTests {

	@LocalServerPort
	private int port;

	@Autowired
	private TenantService tenants;

	@Autowired
	private ApiKeyService keys;

	@Autowired
	private JdbcTemplate jdbc;

	private TestHttp http;

	@BeforeEach
	void setUp() {
		this.http = new TestHttp(this.port);
	}

	private final JsonMapper json = JsonMapper.builder().build();

	@Test
	void whenKeysAreIssuedAndRevokedThenEachChangeIsInTheTenantsChain() {
		TenantKey admin = TestCallers.tenantWithKey(this.tenants, this.keys, "admin", "audit:read");
		IssuedApiKey issued = this.keys.issue(admin.tenant().getId(), "ci", Set.of("inference"), null, "alice");
		this.keys.revoke(admin.tenant().getId(), issued.key().getPublicId(), "alice");

		List<String> actions = this.jdbc.queryForList(
				"select action from audit_event where tenant = ? order by sequence", String.class, admin.slug());
		assertThat(actions).containsSubsequence("tenant.created", "api_key.created", "api_key.created",
				"api_key.revoked");
		assertThat(allAuditText()).doesNotContain(issued.secret()).doesNotContain(admin.secret());
	}

	@Test
	void whenCredentialsAreRefusedThenEachFailureIsAudited() throws Exception {
		String wrong = ApiKeySecret.generate();
		int before = count("_platform", "auth.failed");
		assertThat(send("/v1/models", wrong).statusCode()).isEqualTo(401);
		assertThat(send("/v1/models", null).statusCode()).isEqualTo(401);
		assertThat(send("/admin/v1/tenants/anyone/audit/events", wrong).statusCode()).isEqualTo(401);
		awaitCount("_platform", "auth.failed", before + 3);
		assertThat(allAuditText()).doesNotContain(wrong);
	}

	@Test
	void whenInferenceIsRequestedThenItsMetadataIsAuditedEvenOnFailure() throws Exception {
		TenantKey caller = TestCallers.tenantWithKey(this.tenants, this.keys, "inference");
		HttpResponse<String> response = this.http.post("/v1/chat/completions", caller.secret(),
				"{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"secret prompt text\"}]}");
		assertThat(response.statusCode()).isEqualTo(503);
		awaitCount(caller.slug(), "inference.completed", 1);
		Map<String, Object> row = this.jdbc
			.queryForMap("select actor_key_id, outcome, reason, resource_id, request_id, metadata::text as metadata "
					+ "from audit_event where tenant = ? and action = 'inference.completed'", caller.slug());
		assertThat(row.get("outcome")).isEqualTo("FAILURE".toLowerCase()).as("outcome is stored lower case");
		assertThat(row.get("resource_id")).isEqualTo("m");
		assertThat(row.get("request_id")).isEqualTo(response.headers().firstValue("x-request-id").orElseThrow());
		assertThat((String) row.get("metadata")).contains("503");
		assertThat(allAuditText()).doesNotContain("secret prompt text").doesNotContain(caller.secret());
	}

	@Test
	void whenAnAuditorReadsTheTrailThenOnlyTheirOwnTenantsChainIsVisibleAndItVerifies() throws Exception {
		TenantKey auditor = TestCallers.tenantWithKey(this.tenants, this.keys, "audit:read");
		TenantKey other = TestCallers.tenantWithKey(this.tenants, this.keys, "audit:read");

		HttpResponse<String> events = send("/admin/v1/tenants/" + auditor.slug() + "/audit/events", auditor.secret());
		assertThat(events.statusCode()).isEqualTo(200);
		assertThat(events.body()).contains("tenant.created");

		HttpResponse<String> verify = send("/admin/v1/tenants/" + auditor.slug() + "/audit/verify", auditor.secret());
		JsonNode report = this.json.readTree(verify.body());
		assertThat(verify.statusCode()).isEqualTo(200);
		assertThat(report.path("valid").asBoolean()).as(verify.body()).isTrue();

		HttpResponse<String> foreign = send("/admin/v1/tenants/" + other.slug() + "/audit/events", auditor.secret());
		HttpResponse<String> missing = send("/admin/v1/tenants/no-such-tenant/audit/events", auditor.secret());
		assertThat(foreign.statusCode()).isEqualTo(404).isEqualTo(missing.statusCode());
		assertThat(foreign.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		// Indistinguishable: the same answer as for a tenant that does not exist, but for
		// the path echoed back.
		assertThat(foreign.body().replace(other.slug(), "T")).isEqualTo(missing.body().replace("no-such-tenant", "T"));
	}

	private HttpResponse<String> send(String path, String secret) {
		return this.http.get(path, secret);
	}

	private int count(String tenant, String action) {
		Integer count = this.jdbc.queryForObject("select count(*) from audit_event where tenant = ? and action = ?",
				Integer.class, tenant, action);
		return (count != null) ? count : 0;
	}

	private void awaitCount(String tenant, String action, int expected) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
		while (count(tenant, action) < expected && System.nanoTime() < deadline) {
			Thread.sleep(50);
		}
		assertThat(count(tenant, action))
			.as(() -> this.jdbc
				.queryForList("select resource_id, reason from audit_event where tenant = ? and action = ?", tenant,
						action)
				.toString())
			.isGreaterThanOrEqualTo(expected);
	}

	private String allAuditText() {
		return this.jdbc.queryForList("select audit_event::text from audit_event", String.class).toString();
	}

}
