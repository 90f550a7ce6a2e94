package io.quiver.gateway.console;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.quiver.gateway.TestGatewayReplicas;
import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.tenant.TenantService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two gateway replicas on one database, as behind a load balancer that is not sticky: a
 * console session signed in on one is signed in on the other, and an organisation sign-in
 * started on one completes on the other, once.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ConsoleReplicaTests {

	private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

	private static ConfigurableApplicationContext other;

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private TenantService tenants;

	@Autowired
	private ConsoleAccounts accounts;

	@Autowired
	private ConsoleSignIns signIns;

	@AfterAll
	static void stopOther() {
		if (other != null) {
			other.close();
		}
	}

	@Test
	void whenSignedInOnOneReplicaThenTheOtherServesTheSession() throws Exception {
		Tenant tenant = this.tenants.create("r" + Long.toString(System.nanoTime(), 36), "Replicas", "test");
		String username = "admin-" + tenant.getSlug();
		this.accounts.create(tenant.getId(), username, "correct horse battery", ConsoleRole.TENANT_ADMIN);
		int otherPort = ((WebServerApplicationContext) otherReplica()).getWebServer().getPort();

		HttpResponse<String> form = get(this.port, "/console/sign-in", null);
		String anonymous = sessionCookie(form).orElseThrow();
		Matcher csrf = CSRF.matcher(form.body());
		assertThat(csrf.find()).as(form.body()).isTrue();
		HttpResponse<String> signedIn = this.http.send(HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/console/sign-in"))
			.header("Cookie", anonymous)
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(
					"username=" + encode(username) + "&password=correct+horse+battery&_csrf=" + encode(csrf.group(1))))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(signedIn.statusCode()).isEqualTo(302);
		assertThat(signedIn.headers().firstValue("Location"))
			.hasValueSatisfying((location) -> assertThat(location).doesNotContain("error"));
		String session = sessionCookie(signedIn).orElseThrow();
		assertThat(session).isNotEqualTo(anonymous);

		HttpResponse<String> onOther = get(otherPort, "/console/t/" + tenant.getSlug(), session);
		assertThat(onOther.statusCode()).as(onOther.headers().map().toString()).isEqualTo(200);
		assertThat(onOther.body()).contains(tenant.getSlug());
		// the session fixed before sign-in is worth nothing on either replica
		assertThat(get(otherPort, "/console/t/" + tenant.getSlug(), anonymous).statusCode()).isEqualTo(302);
	}

	@Test
	void whenASignInStartsOnOneReplicaThenItCompletesOnTheOtherOnceAndOnlyForItsBrowser() {
		ConsoleSignIns onOther = otherReplica().getBean(ConsoleSignIns.class);
		ConsoleSignIns.Target target = new ConsoleSignIns.Target(UUID.randomUUID(), "https://idp.example", "console",
				null, "https://idp.example/token", "https://quiver.example/console/oidc/callback");
		ConsoleSignIns.Pending started = this.signIns.begin(target);
		Optional<ConsoleSignIns.Pending> completed = onOther.complete(started.state(), started.binding());
		assertThat(completed).hasValueSatisfying((pending) -> {
			assertThat(pending.target()).isEqualTo(target);
			assertThat(pending.nonce()).isEqualTo(started.nonce());
			assertThat(pending.verifier()).isEqualTo(started.verifier());
		});
		assertThat(this.signIns.complete(started.state(), started.binding())).isEmpty();

		ConsoleSignIns.Pending another = onOther.begin(target);
		assertThat(this.signIns.complete(another.state(), "someone-else's-binding")).isEmpty();
		// a wrong binding spends it too
		assertThat(onOther.complete(another.state(), another.binding())).isEmpty();
	}

	private static synchronized ConfigurableApplicationContext otherReplica() {
		if (other == null) {
			other = TestGatewayReplicas.start();
		}
		return other;
	}

	private HttpResponse<String> get(int port, String path, String cookie) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
		if (cookie != null) {
			request.header("Cookie", cookie);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static Optional<String> sessionCookie(HttpResponse<?> response) {
		return response.headers()
			.allValues("Set-Cookie")
			.stream()
			.filter((cookie) -> cookie.startsWith("QUIVER_CONSOLE="))
			.map((cookie) -> cookie.substring(0, cookie.indexOf(';')))
			.findFirst();
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

}
