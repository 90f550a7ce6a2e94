package io.quiver.gateway.openai;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;

import io.quiver.gateway.TestHttp;
import io.quiver.gateway.TestTenancy;
import io.quiver.gateway.TestTenancy.PopulatedTenant;
import io.quiver.gateway.TestWorker;
import io.quiver.gateway.TestWorker.Received;
import io.quiver.tenancy.adapter.AdapterService;
import io.quiver.tenancy.adapter.AdapterVersion;
import io.quiver.tenancy.adapter.PeftSummary;
import io.quiver.tenancy.apikey.ApiKeyService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code model} is resolved in the caller's namespace and forwarded to the worker as
 * {@code <tenant>/<name>@<version>} with the adapter's source and digest.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AdapterRoutingTests {

	private final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	private int port;

	@Autowired
	private ApplicationContext context;

	@Autowired
	private AdapterService adapters;

	@Autowired
	private ApiKeyService keys;

	private TestHttp http;

	private PopulatedTenant tenant;

	private AdapterVersion v2;

	@BeforeEach
	void setUp() {
		this.http = new TestHttp(this.port);
		this.tenant = TestTenancy.populatedTenant(this.context);
		this.v2 = this.adapters.register(this.tenant.tenant(), this.tenant.adapter(), "s3://adapters/v2",
				"ef".repeat(32), new PeftSummary(16, 32.0, List.of("q_proj"), TestWorker.BASE_MODEL), "test");
	}

	@Test
	void whenModelNamesAnAdapterThenTheWorkerGetsItsVersionedIdSourceAndDigest() {
		String name = this.tenant.adapter();
		Received latest = chat(name);
		assertThat(latest.body().path("model").asString()).isEqualTo(this.tenant.slug() + "/" + name + "@v2");
		assertThat(latest.headers()).containsEntry("quiver-adapter-source", "s3://adapters/v2")
			.containsEntry("quiver-adapter-sha256", "ef".repeat(32))
			// the name a Quiver worker shows its caller in the answer's model
			.containsEntry("quiver-model-name", name);

		Received pinned = chat(name + "@v1");
		assertThat(pinned.body().path("model").asString()).isEqualTo(this.tenant.slug() + "/" + name + "@v1");
		assertThat(pinned.headers()).containsEntry("quiver-adapter-sha256", "ab".repeat(32))
			.containsEntry("quiver-model-name", name + "@v1");

		Received base = chat(TestWorker.BASE_MODEL);
		assertThat(base.body().path("model").asString()).isEqualTo(TestWorker.BASE_MODEL);
		assertThat(base.headers()).doesNotContainKey("quiver-adapter-source").doesNotContainKey("quiver-model-name");

		this.adapters.setDefaultVersion(this.tenant.tenant(), name, "v1", "test");
		assertThat(chat(name).body().path("model").asString()).endsWith("@v1");

		this.adapters.setStatus(this.tenant.tenant(), name, "v2", AdapterVersion.DISABLED, "test");
		HttpResponse<String> disabled = post(name + "@v2", this.tenant.admin());
		assertThat(disabled.statusCode()).isEqualTo(404);
		assertThat(disabled.body()).contains("model_not_found");
		assertThat(post(name + "@v9", this.tenant.admin()).statusCode()).isEqualTo(404);
	}

	@Test
	void whenAWorkerHasAnsweredForAnAdapterThenTheNextRequestIsAHitWithoutWaitingForAPoll() {
		String model = this.tenant.adapter() + "@v2";
		HttpResponse<String> first = post(model, this.tenant.admin());
		assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
		assertThat(first.headers().firstValue("x-quiver-route"))
			.hasValueSatisfying((route) -> assertThat(route).isIn("placed", "spilled"));
		HttpResponse<String> second = post(model, this.tenant.admin());
		assertThat(second.headers().firstValue("x-quiver-route")).hasValue("hit");
	}

	@Test
	void whenModelsAreListedThenBaseModelsAndOnlyTheCallersAdaptersAppear() {
		PopulatedTenant other = TestTenancy.populatedTenant(this.context);
		HttpResponse<String> response = this.http.get("/v1/models", this.tenant.admin());
		List<String> ids = this.json.readTree(response.body())
			.path("data")
			.valueStream()
			.map((model) -> model.path("id").asString())
			.toList();
		String name = this.tenant.adapter();
		assertThat(ids).contains(TestWorker.BASE_MODEL, name, name + "@v1", name + "@v2")
			.doesNotContain(other.adapter(), other.adapter() + "@v1");
		JsonNode one = this.json.readTree(this.http.get("/v1/models/" + name + "@v1", this.tenant.admin()).body());
		assertThat(one.path("parent").asString()).isEqualTo(TestWorker.BASE_MODEL);
	}

	@Test
	void whenKeyIsRestrictedToSomeModelsThenOthersLookMissing() {
		String restricted = this.keys
			.issue(this.tenant.tenant().getId(),
					new ApiKeyService.KeyRequest("only-bot", Set.of("inference"), null, Set.of(this.tenant.adapter()),
							null),
					"test")
			.secret();
		assertThat(post(this.tenant.adapter() + "@v1", restricted).statusCode()).isEqualTo(200);
		HttpResponse<String> base = post(TestWorker.BASE_MODEL, restricted);
		assertThat(base.statusCode()).isEqualTo(404);
		assertThat(base.body()).contains("model_not_found");
		assertThat(this.http.get("/v1/models", restricted).body())
			.doesNotContain("\"id\":\"" + TestWorker.BASE_MODEL + "\"");
	}

	private Received chat(String model) {
		HttpResponse<String> response = post(model, this.tenant.admin());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return TestWorker.get().received(response.headers().firstValue("x-request-id").orElseThrow());
	}

	private HttpResponse<String> post(String model, String credential) {
		return this.http.post("/v1/chat/completions", credential,
				"{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
	}

}
