package io.quiver.gateway.security;

import java.net.http.HttpResponse;

import io.quiver.gateway.TestCallers;
import io.quiver.gateway.TestCallers.TenantKey;
import io.quiver.gateway.TestHttp;
import io.quiver.tenancy.apikey.ApiKeySecret;
import io.quiver.tenancy.apikey.ApiKeyService;
import io.quiver.tenancy.tenant.TenantService;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A source that keeps failing to authenticate is refused with 429 and
 * {@code Retry-After}, in each API's dialect, before its credentials are even checked.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AuthenticationThrottleTests {

	@LocalServerPort
	private int port;

	@Autowired
	private TenantService tenants;

	@Autowired
	private ApiKeyService keys;

	@Autowired
	private SecurityProperties properties;

	@Test
	void whenOneSourceFailsRepeatedlyThenItIsRefusedWith429() {
		TestHttp http = new TestHttp(this.port);
		TenantKey caller = TestCallers.tenantWithKey(this.tenants, this.keys, "inference", "admin");
		for (int i = 0; i < this.properties.failureLimit(); i++) {
			assertThat(http.get("/v1/models", ApiKeySecret.generate()).statusCode()).isEqualTo(401);
		}
		HttpResponse<String> openAi = http.get("/v1/models", ApiKeySecret.generate());
		assertThat(openAi.statusCode()).isEqualTo(429);
		assertThat(openAi.headers().firstValue("Retry-After")).isPresent();
		assertThat(openAi.body()).contains("\"type\":\"rate_limit_error\"");
		// Even a valid key from that source waits: guessing cannot be interleaved with
		// real use.
		assertThat(http.get("/v1/models", caller.secret()).statusCode()).isEqualTo(429);
		HttpResponse<String> admin = http.get("/admin/v1/tenants/" + caller.slug(), "eyJhbGciOiJub25lIn0.e30.");
		assertThat(admin.statusCode()).isEqualTo(429);
		assertThat(admin.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("application/problem+json"));
	}

}
