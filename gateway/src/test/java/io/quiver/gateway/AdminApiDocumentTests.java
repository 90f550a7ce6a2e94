package io.quiver.gateway;

import java.net.http.HttpResponse;

import io.quiver.gateway.TestCallers.TenantKey;
import io.quiver.tenancy.apikey.ApiKeyService;
import io.quiver.tenancy.tenant.TenantService;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin API describes itself as an OpenAPI document, readable without a credential
 * (it holds no tenant's data), and refuses unreadable input with a ProblemDetail.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AdminApiDocumentTests {

	private final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	private int port;

	@Autowired
	private TenantService tenants;

	@Autowired
	private ApiKeyService keys;

	@Test
	void whenOpenApiDocumentIsRequestedThenItListsTheTenantScopedEndpoints() {
		HttpResponse<String> response = new TestHttp(this.port).get("/admin/v1/openapi", null);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode paths = this.json.readTree(response.body()).path("paths");
		assertThat(paths.has("/admin/v1/tenants/{tenant}/api-keys")).isTrue();
		assertThat(paths.has("/admin/v1/tenants/{tenant}/adapters/{name}/versions")).isTrue();
		assertThat(paths.has("/admin/v1/tenants/{tenant}/identity-providers")).isTrue();
		assertThat(paths.has("/admin/v1/tenants/{tenant}/usage")).isTrue();
	}

	@Test
	void whenInputCannotBeReadThen400ProblemDetailWithoutEchoingIt() {
		TestHttp http = new TestHttp(this.port);
		TenantKey admin = TestCallers.tenantWithKey(this.tenants, this.keys, "admin");
		String path = "/admin/v1/tenants/" + admin.slug();
		for (HttpResponse<String> response : new HttpResponse[] {
				http.post(path + "/members", admin.secret(), "{\"subject\": \"s3cr3t-in-body\""),
				http.post(path + "/api-keys", admin.secret(), "{\"name\":\"k\",\"expiresAt\":\"s3cr3t-in-body\"}"),
				http.send("PUT", path + "/limits", admin.secret(), "{\"requestsPerMinute\":-1}"),
				http.get(path + "/usage?from=s3cr3t-in-body", admin.secret()),
				http.post(path + "/members", admin.secret(), "{\"subject\":\"x\",\"role\":\"root\"}") }) {
			assertThat(response.statusCode()).as(response.body()).isIn(400, 403);
			assertThat(response.headers().firstValue("Content-Type"))
				.hasValueSatisfying((type) -> assertThat(type).startsWith("application/problem+json"));
			assertThat(response.body()).doesNotContain("s3cr3t-in-body");
		}
	}

}
