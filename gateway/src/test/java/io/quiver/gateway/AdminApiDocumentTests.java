package io.quiver.gateway;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin API describes itself as an OpenAPI document, readable without a credential
 * (it holds no tenant's data).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AdminApiDocumentTests {

	@LocalServerPort
	private int port;

	@Test
	void whenOpenApiDocumentIsRequestedThenItListsTheTenantScopedEndpoints() {
		HttpResponse<String> response = new TestHttp(this.port).get("/admin/v1/openapi", null);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode paths = JsonMapper.builder().build().readTree(response.body()).path("paths");
		assertThat(paths.has("/admin/v1/tenants/{tenant}/api-keys")).isTrue();
		assertThat(paths.has("/admin/v1/tenants/{tenant}/adapters/{name}/versions")).isTrue();
		assertThat(paths.has("/admin/v1/tenants/{tenant}/identity-providers")).isTrue();
		assertThat(paths.has("/admin/v1/tenants/{tenant}/usage")).isTrue();
	}

}
