package io.quiver.gateway.openai;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.quiver.gateway.TestCallers;
import io.quiver.gateway.TestCallers.TenantKey;
import io.quiver.gateway.TestHttp;
import io.quiver.tenancy.apikey.ApiKeySecret;
import io.quiver.tenancy.apikey.ApiKeyService;
import io.quiver.tenancy.tenant.TenantService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every way a {@code /v1} request can fail, against the real server with no worker
 * reachable: each answer is the OpenAI envelope with the status OpenAI would send.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "quiver.routing.workers=http://127.0.0.1:9", "quiver.routing.pending-timeout=300ms",
				"quiver.database.embedded=false", "quiver.home=target/quiver-home" })
class OpenAiErrorsTests {

	private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

	@LocalServerPort
	private int port;

	@Autowired
	private TenantService tenants;

	@Autowired
	private ApiKeyService keys;

	private TestHttp http;

	private final JsonMapper json = JsonMapper.builder().build();

	private TenantKey caller;

	@BeforeEach
	void setUp() {
		this.http = new TestHttp(this.port);
		this.caller = TestCallers.tenantWithKey(this.tenants, this.keys, "inference");
	}

	@Test
	void whenNoKeyThen401InTheOpenAiEnvelope() throws Exception {
		HttpResponse<String> response = post("/v1/chat/completions", null, CHAT);
		assertEnvelope(response, 401, "invalid_request_error", "invalid_api_key");
		assertThat(error(response).path("message").asString()).contains("didn't provide an API key");
	}

	@Test
	void whenKeyIsWrongUnknownOrMalformedThen401() throws Exception {
		for (String bad : new String[] { "Bearer " + ApiKeySecret.generate(), "Bearer qvr_nonsense", "Basic abc",
				"Bearer " + this.caller.secret() + "x", "Bearer" }) {
			assertEnvelope(post("/v1/chat/completions", bad, CHAT), 401, "invalid_request_error", "invalid_api_key");
		}
	}

	@Test
	void whenKeyLacksInferenceScopeThen403() throws Exception {
		TenantKey auditor = TestCallers.tenantWithKey(this.tenants, this.keys, "audit:read");
		assertEnvelope(post("/v1/chat/completions", "Bearer " + auditor.secret(), CHAT), 403, "permission_error",
				"insufficient_scope");
	}

	@Test
	void whenBodyIsMalformedThen400WithTheOffendingParam() throws Exception {
		String key = "Bearer " + this.caller.secret();
		assertEnvelope(post("/v1/chat/completions", key, "{not json"), 400, "invalid_request_error", null);
		assertEnvelope(post("/v1/chat/completions", key, "[1,2]"), 400, "invalid_request_error", null);
		HttpResponse<String> noModel = post("/v1/chat/completions", key, "{\"messages\":[]}");
		assertEnvelope(noModel, 400, "invalid_request_error", null);
		assertThat(error(noModel).path("param").asString()).isEqualTo("model");
		HttpResponse<String> noMessages = post("/v1/chat/completions", key, "{\"model\":\"m\",\"messages\":[]}");
		assertThat(error(noMessages).path("param").asString()).isEqualTo("messages");
		HttpResponse<String> badPrompt = post("/v1/completions", key, "{\"model\":\"m\",\"prompt\":7}");
		assertThat(error(badPrompt).path("param").asString()).isEqualTo("prompt");
		assertEnvelope(post("/v1/chat/completions", key, "{\"model\":\"m\",\"stream\":\"yes\",\"messages\":[{}]}"), 400,
				"invalid_request_error", null);
	}

	@Test
	void whenBodyIsTooLargeThen413() throws Exception {
		String huge = "{\"model\":\"m\",\"prompt\":\"" + "a".repeat(3 * 1024 * 1024) + "\"}";
		assertEnvelope(post("/v1/completions", "Bearer " + this.caller.secret(), huge), 413, "invalid_request_error",
				"request_too_large");
	}

	@Test
	void whenNoWorkerAnswersThen503() throws Exception {
		assertEnvelope(post("/v1/chat/completions", "Bearer " + this.caller.secret(), CHAT), 503, "server_error",
				"no_worker_available");
	}

	@Test
	void whenPathOrMethodIsUnknownThenEnvelopeToo() throws Exception {
		HttpResponse<String> unknown = send(HttpRequest.newBuilder(this.http.uri("/v1/nothing-here"))
			.header("Authorization", "Bearer " + this.caller.secret())
			.GET());
		assertEnvelope(unknown, 404, "invalid_request_error", "not_found");
		HttpResponse<String> wrongMethod = send(HttpRequest.newBuilder(this.http.uri("/v1/chat/completions"))
			.header("Authorization", "Bearer " + this.caller.secret())
			.GET());
		assertEnvelope(wrongMethod, 405, "invalid_request_error", "method_not_allowed");
	}

	private void assertEnvelope(HttpResponse<String> response, int status, String type, String code) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type"))
			.hasValueSatisfying((contentType) -> assertThat(contentType).startsWith("application/json"));
		JsonNode error = error(response);
		assertThat(error.path("message").asString()).isNotBlank();
		assertThat(error.path("type").asString()).isEqualTo(type);
		if (code != null) {
			assertThat(error.path("code").asString()).isEqualTo(code);
		}
		assertThat(error.has("param")).isTrue();
		assertThat(response.body()).doesNotContain(this.caller.secret());
	}

	private JsonNode error(HttpResponse<String> response) {
		return this.json.readTree(response.body()).path("error");
	}

	/** Sends the Authorization header exactly as given, malformed ones included. */
	private HttpResponse<String> post(String path, String authorization, String body) {
		HttpRequest.Builder request = HttpRequest.newBuilder(this.http.uri(path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body));
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		return this.http.send(request.build());
	}

	private HttpResponse<String> send(HttpRequest.Builder request) {
		return this.http.send(request.build());
	}

}
