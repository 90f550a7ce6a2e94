package io.quiver.gateway;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.quiver.gateway.TestTenancy.PopulatedTenant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.context.event.ApplicationEventMulticaster;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drives every path a secret travels (issuing, rotating, revoking, using and misusing API
 * keys and JWTs, passwords sent where none belong) with debug logging on, then scans the
 * captured log, every event Quiver published (what the audit trail records) and every
 * error body for each secret, whole or in part. None may appear. The events include what
 * the audit trail needs: authentications, failures, denials and completed inferences.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class SecretLeakTests {

	private static final String PASSWORD = "correct-horse-battery-staple-42";

	private final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	private int port;

	@Autowired
	private ApplicationContext context;

	@Test
	void whenSecretsTravelEverywhereThenNoneAppearsInLogsEventsOrErrors(CapturedOutput output) {
		LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
		logging.setLogLevel("io.quiver", LogLevel.TRACE);
		logging.setLogLevel("org.springframework.security", LogLevel.DEBUG);
		List<Object> events = new CopyOnWriteArrayList<>();
		ApplicationListener<PayloadApplicationEvent<?>> recorder = (event) -> {
			if (event.getPayload().getClass().getName().startsWith("io.quiver")) {
				events.add(event.getPayload());
			}
		};
		ApplicationEventMulticaster multicaster = this.context.getBean(ApplicationEventMulticaster.class);
		multicaster.addApplicationListener(recorder);
		List<String> secrets = new ArrayList<>();
		List<String> bodies = new ArrayList<>();
		try {
			TestHttp http = new TestHttp(this.port);
			PopulatedTenant tenant = TestTenancy.populatedTenant(this.context);
			PopulatedTenant other = TestTenancy.populatedTenant(this.context);
			secrets.addAll(tenant.credentials().values());
			secrets.addAll(other.credentials().values());
			secrets.add(PASSWORD);
			String admin = tenant.admin();
			String path = "/admin/v1/tenants/" + tenant.slug();

			HttpResponse<String> issued = http.post(path + "/api-keys", admin,
					"{\"name\":\"leak-check\",\"scopes\":[\"inference\"]}");
			String fresh = this.json.readTree(issued.body()).path("secret").asString();
			String freshId = this.json.readTree(issued.body()).path("key").path("id").asString();
			secrets.add(fresh);
			HttpResponse<String> rotated = http.post(path + "/api-keys/" + freshId + "/rotate", admin,
					"{\"overlap\":\"PT1M\"}");
			String successor = this.json.readTree(rotated.body()).path("secret").asString();
			secrets.add(successor);
			assertThat(http.get("/v1/models", fresh).statusCode()).isEqualTo(200);
			http.send("DELETE",
					path + "/api-keys/" + this.json.readTree(rotated.body()).path("key").path("id").asString(), admin,
					null);

			Map<String, String> misuse = new LinkedHashMap<>();
			misuse.put("/v1/models", successor);
			misuse.put("/v1/chat/completions", fresh.substring(0, fresh.length() - 1) + "x");
			misuse.put(path + "/members", tenant.credentials().get("jwt: member"));
			misuse.put("/admin/v1/tenants/" + other.slug() + "/api-keys", admin);
			misuse.put("/admin/v1/tenants/" + other.slug(), tenant.credentials().get("jwt: tenant admin"));
			misuse.put("/v1/models/" + other.adapter(), other.credentials().get("jwt: member").replace('.', '-'));
			misuse.put(path + "/identity-providers", other.credentials().get("jwt: tenant admin"));
			for (Map.Entry<String, String> attempt : misuse.entrySet()) {
				bodies.add(new TestHttp(this.port).get(attempt.getKey(), attempt.getValue()).body());
				bodies.add(new TestHttp(this.port)
					.post(attempt.getKey(), attempt.getValue(), "{\"model\":\"x\",\"password\":\"" + PASSWORD + "\"}")
					.body());
			}
			bodies.add(http.post(path + "/members", admin,
					"{\"subject\":\"dora\",\"role\":\"member\",\"password\":\"" + PASSWORD + "\"}")
				.body());
			bodies.add(
					http.post(path + "/members", admin, "{\"subject\":\"" + PASSWORD + "\",\"role\":\"nope\"}").body());
			bodies.add(http
				.post("/v1/chat/completions", admin,
						"{\"model\":\"" + other.adapter() + "\",\"messages\":"
								+ "[{\"role\":\"user\",\"content\":\"my password is " + PASSWORD + "\"}]}")
				.body());
			bodies.add(http
				.post("/v1/chat/completions", admin,
						"{\"model\":\"" + tenant.adapter() + "\",\"stream\":true,\"messages\":"
								+ "[{\"role\":\"user\",\"content\":\"my password is " + PASSWORD + "\"}]}")
				.body());
			String basic = Base64.getEncoder().encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
			secrets.add(basic);
			bodies.add(http.send(java.net.http.HttpRequest
				.newBuilder(java.net.URI.create("http://127.0.0.1:" + this.port + path + "/api-keys"))
				.header("Authorization", "Basic " + basic)
				.GET()
				.build()).body());
			bodies.add(http.get(path + "/api-keys",
					"eyJhbGciOiJub25lIn0."
							+ Base64.getUrlEncoder()
								.withoutPadding()
								.encodeToString(("{\"sub\":\"" + PASSWORD + "\"}").getBytes(StandardCharsets.UTF_8))
							+ ".")
				.body());
			this.context.getBean(io.quiver.gateway.usage.UsageRecorder.class).flush();
		}
		finally {
			multicaster.removeApplicationListener(recorder);
			logging.setLogLevel("io.quiver", null);
			logging.setLogLevel("org.springframework.security", null);
		}
		List<String> eventPayloads = new ArrayList<>();
		for (Object event : events) {
			eventPayloads.add(event.toString());
			eventPayloads.add(this.json.writeValueAsString(event));
		}
		assertThat(events).extracting((event) -> event.getClass().getSimpleName())
			.contains("ApiKeyIssued", "ApiKeyRotated", "ApiKeyRevoked", "CallerAuthenticated", "AuthenticationFailed",
					"AccessDenied", "InferenceCompleted");
		int checks = 0;
		List<String> found = new ArrayList<>();
		for (String secret : secrets) {
			for (String fragment : fragments(secret)) {
				checks++;
				if (output.getAll().contains(fragment)) {
					found.add("log contains part of a secret: " + fragment);
				}
				for (String body : bodies) {
					if (body.contains(fragment)) {
						found.add("error body contains part of a secret: " + body);
					}
				}
				for (String payload : eventPayloads) {
					if (payload.contains(fragment)) {
						found.add("event contains part of a secret: " + payload);
					}
				}
			}
		}
		System.out.printf("Secret scan: %d secrets, %d fragments, %d log chars, %d events, %d error bodies, %d found%n",
				secrets.size(), checks, output.getAll().length(), events.size(), bodies.size(), found.size());
		assertThat(found).isEmpty();
	}

	/**
	 * @return the secret and the parts that identify it on their own: an API key's random
	 * body, a JWT's signature
	 */
	private static List<String> fragments(String secret) {
		List<String> fragments = new ArrayList<>();
		fragments.add(secret);
		if (secret.startsWith("qvr_")) {
			fragments.add(secret.substring(8, 40));
		}
		else if (secret.startsWith("eyJ") && secret.lastIndexOf('.') > 0) {
			fragments.add(secret.substring(secret.lastIndexOf('.') + 1));
			fragments.add(secret.substring(secret.indexOf('.') + 1, secret.lastIndexOf('.')));
		}
		return fragments;
	}

}
