package io.quiver.gateway.security;

import java.net.http.HttpResponse;
import java.time.Instant;
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
 * API keys over HTTP: revoked, expired and malformed keys fail alike; rotation keeps the
 * old key working for its overlap only; a service account's key never exceeds the
 * account's role.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ApiKeyAuthenticationTests {

	private final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	private int port;

	@Autowired
	private TenantService tenants;

	@Autowired
	private ApiKeyService keys;

	@Autowired
	private JdbcTemplate jdbc;

	private TestHttp http;

	private TenantKey admin;

	@BeforeEach
	void setUp() {
		this.http = new TestHttp(this.port);
		this.admin = TestCallers.tenantWithKey(this.tenants, this.keys, "admin");
	}

	@Test
	void whenKeyIsRevokedExpiredOrMalformedThenUnauthorizedAlike() {
		IssuedApiKey revoked = this.keys.issue(this.admin.tenant().getId(), "r", Set.of("inference"), null, "test");
		assertThat(this.http.get("/v1/models", revoked.secret()).statusCode()).isEqualTo(200);
		assertThat(this.http.send("DELETE", path("/api-keys/" + revoked.key().getPublicId()), this.admin.secret(), null)
			.statusCode()).isEqualTo(204);
		IssuedApiKey expired = this.keys.issue(this.admin.tenant().getId(), "e", Set.of("inference"),
				Instant.now().plusSeconds(3600), "test");
		this.jdbc.update("update api_keys set expires_at = now() - interval '1 second' where public_id = ?",
				expired.key().getPublicId());
		String unknown = ApiKeySecret.generate();
		String tampered = revoked.secret().substring(0, 10) + "x" + revoked.secret().substring(11);
		for (String bad : new String[] { revoked.secret(), expired.secret(), unknown, tampered, "qvr_short",
				"sk-proj-abc" }) {
			HttpResponse<String> response = this.http.get("/v1/models", bad);
			assertThat(response.statusCode()).isEqualTo(401);
			assertThat(response.body()).contains("Incorrect API key provided").doesNotContain(bad);
			assertThat(this.http.get(path("/api-keys"), bad).statusCode()).isEqualTo(401);
		}
	}

	@Test
	void whenKeyIsRotatedThenBothWorkDuringTheOverlapAndTheOldOneStopsWithoutIt() {
		IssuedApiKey old = this.keys.issue(this.admin.tenant().getId(), "svc", Set.of("inference"), null, "test");
		HttpResponse<String> rotated = this.http.post(path("/api-keys/" + old.key().getPublicId() + "/rotate"),
				this.admin.secret(), "{\"overlap\":\"PT1H\"}");
		assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(201);
		assertThat(rotated.headers().firstValue("Cache-Control"))
			.hasValueSatisfying((value) -> assertThat(value).contains("no-store"));
		JsonNode body = this.json.readTree(rotated.body());
		String successor = body.path("secret").asString();
		assertThat(this.http.get("/v1/models", successor).statusCode()).isEqualTo(200);
		assertThat(this.http.get("/v1/models", old.secret()).statusCode()).isEqualTo(200);
		assertThat(this.keys.find(this.admin.tenant().getId(), old.key().getPublicId()).getReplacedBy())
			.isEqualTo(body.path("key").path("id").asString());

		HttpResponse<String> again = this.http.post(
				path("/api-keys/" + body.path("key").path("id").asString() + "/rotate"), this.admin.secret(),
				"{\"overlap\":\"PT0S\"}");
		assertThat(again.statusCode()).isEqualTo(201);
		assertThat(this.http.get("/v1/models", successor).statusCode()).isEqualTo(401);
		// A key that was rotated already cannot be rotated again.
		assertThat(this.http.post(path("/api-keys/" + old.key().getPublicId() + "/rotate"), this.admin.secret(), "{}")
			.statusCode()).isEqualTo(404);
	}

	@Test
	void whenServiceAccountKeyAsksForMoreThanItsRoleThenRefusedAndCapped() {
		HttpResponse<String> account = this.http.post(path("/service-accounts"), this.admin.secret(),
				"{\"subject\":\"ci-bot\",\"role\":\"member\"}");
		assertThat(account.statusCode()).as(account.body()).isEqualTo(201);
		String accountId = this.json.readTree(account.body()).path("id").asString();
		HttpResponse<String> tooMuch = this.http.post(path("/api-keys"), this.admin.secret(),
				"{\"name\":\"ci\",\"scopes\":[\"admin\"],\"serviceAccount\":\"" + accountId + "\"}");
		assertThat(tooMuch.statusCode()).isEqualTo(400);
		HttpResponse<String> issued = this.http.post(path("/api-keys"), this.admin.secret(),
				"{\"name\":\"ci\",\"scopes\":[\"inference\"],\"serviceAccount\":\"" + accountId + "\"}");
		assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
		String secret = this.json.readTree(issued.body()).path("secret").asString();
		assertThat(this.http.get("/v1/models", secret).statusCode()).isEqualTo(200);
		assertThat(this.http.get(path("/api-keys"), secret).statusCode()).isEqualTo(403);
		// Removing the account kills its keys.
		assertThat(this.http.send("DELETE", path("/service-accounts/" + accountId), this.admin.secret(), null)
			.statusCode()).isEqualTo(204);
		assertThat(this.http.get("/v1/models", secret).statusCode()).isEqualTo(401);
	}

	@Test
	void whenCallerGrantsMoreThanItHoldsThenForbidden() {
		TenantKey limited = new TenantKey(this.admin.tenant(),
				this.keys.issue(this.admin.tenant().getId(), "ops", Set.of("admin"), null, "test").secret());
		HttpResponse<String> escalate = this.http.post(path("/api-keys"), limited.secret(),
				"{\"name\":\"root\",\"scopes\":[\"platform:admin\"]}");
		assertThat(escalate.statusCode()).isEqualTo(403);
		assertThat(this.http.get("/admin/v1/tenants", limited.secret()).statusCode()).isEqualTo(403);
	}

	private String path(String path) {
		return "/admin/v1/tenants/" + this.admin.slug() + path;
	}

}
