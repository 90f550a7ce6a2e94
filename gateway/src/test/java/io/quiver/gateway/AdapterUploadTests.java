package io.quiver.gateway;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.quiver.gateway.TestCallers.TenantKey;
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
 * Uploading PEFT adapters: valid files become a new version with their digest and a
 * {@code file:} URI a worker can fetch; files that are not a LoRA adapter for the base
 * model, or too large, are refused with a ProblemDetail.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AdapterUploadTests {

	private final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	private int port;

	@Autowired
	private TenantService tenants;

	@Autowired
	private ApiKeyService keys;

	private TenantKey writer;

	@BeforeEach
	void setUp() {
		this.writer = TestCallers.tenantWithKey(this.tenants, this.keys, "adapters:write");
	}

	@Test
	void whenFilesAreAValidAdapterThenANewVersionIsStoredWithItsDigest() throws Exception {
		byte[] weights = TestAdapters.weights(8, 16, 16);
		HttpResponse<String> first = upload("support-bot", TestAdapters.config(8, TestWorker.BASE_MODEL), weights);
		assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
		JsonNode version = this.json.readTree(first.body());
		assertThat(version.path("version").asString()).isEqualTo("v1");
		assertThat(version.path("rank").asInt()).isEqualTo(8);
		assertThat(version.path("sha256").asString())
			.isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(weights)));
		Path directory = Path.of(URI.create(version.path("sourceUri").asString()));
		assertThat(Files.readAllBytes(directory.resolve("adapter_model.safetensors"))).isEqualTo(weights);
		assertThat(directory.resolve("adapter_config.json")).exists();

		HttpResponse<String> second = upload("support-bot", TestAdapters.config(8, TestWorker.BASE_MODEL), weights);
		assertThat(this.json.readTree(second.body()).path("version").asString()).isEqualTo("v2");
	}

	@Test
	void whenVersionsAreUploadedConcurrentlyThenEachGetsItsOwnNumberAndFiles() throws Exception {
		Map<Integer, byte[]> weights = new LinkedHashMap<>();
		List<Future<HttpResponse<String>>> answers = new ArrayList<>();
		try (ExecutorService clients = Executors.newFixedThreadPool(4)) {
			for (int rank = 1; rank <= 4; rank++) {
				byte[] file = TestAdapters.weights(rank, 16, 16);
				weights.put(rank, file);
				byte[] config = TestAdapters.config(rank, TestWorker.BASE_MODEL);
				answers.add(clients.submit(() -> upload("race-bot", config, file)));
			}
		}
		Set<String> numbers = new HashSet<>();
		for (Future<HttpResponse<String>> answer : answers) {
			assertThat(answer.get().statusCode()).as(answer.get().body()).isEqualTo(201);
			JsonNode version = this.json.readTree(answer.get().body());
			numbers.add(version.path("version").asString());
			Path directory = Path.of(URI.create(version.path("sourceUri").asString()));
			assertThat(Files.readAllBytes(directory.resolve("adapter_model.safetensors")))
				.isEqualTo(weights.get(version.path("rank").asInt()));
		}
		assertThat(numbers).containsExactlyInAnyOrder("v1", "v2", "v3", "v4");
	}

	@Test
	void whenFilesAreNotAValidAdapterThenRefused() throws Exception {
		Map<String, byte[][]> bad = new LinkedHashMap<>();
		bad.put("rank differs from config",
				new byte[][] { TestAdapters.config(4, TestWorker.BASE_MODEL), TestAdapters.weights(8, 16, 16) });
		bad.put("shape differs from base model",
				new byte[][] { TestAdapters.config(8, TestWorker.BASE_MODEL), TestAdapters.weights(8, 24, 16) });
		bad.put("not safetensors", new byte[][] { TestAdapters.config(8, TestWorker.BASE_MODEL), "hello".getBytes() });
		bad.put("not a LoRA config",
				new byte[][] { "{\"peft_type\":\"IA3\"}".getBytes(), TestAdapters.weights(8, 16, 16) });
		bad.put("config not JSON", new byte[][] { "nope".getBytes(), TestAdapters.weights(8, 16, 16) });
		bad.put("too large",
				new byte[][] { TestAdapters.config(8, TestWorker.BASE_MODEL), TestAdapters.weights(8, 16, 40_960) });
		bad.forEach((why, files) -> {
			HttpResponse<String> response = upload("bad-bot", files[0], files[1]);
			assertThat(response.statusCode()).as(why + ": " + response.body()).isEqualTo(400);
			assertThat(response.headers().firstValue("Content-Type")).as(why)
				.hasValueSatisfying((type) -> assertThat(type).startsWith("application/problem+json"));
		});
		HttpResponse<String> badName = upload("Bad Name", TestAdapters.config(8, TestWorker.BASE_MODEL),
				TestAdapters.weights(8, 16, 16));
		assertThat(badName.statusCode()).isIn(400, 404);
		HttpResponse<String> versions = new TestHttp(this.port)
			.get("/admin/v1/tenants/" + this.writer.slug() + "/adapters/bad-bot", this.writer.secret());
		assertThat(versions.statusCode()).isEqualTo(404);
	}

	@Test
	void whenARegistrationNamesAFileUriOrAnUnlistedHostOrBucketLocationThenRefused() throws Exception {
		TestHttp http = new TestHttp(this.port);
		String path = "/admin/v1/tenants/" + this.writer.slug() + "/adapters/local-bot/versions";
		String body = "{\"sourceUri\":\"%s\",\"sha256\":\"" + "cd".repeat(32)
				+ "\",\"rank\":8,\"targetModules\":[\"q_proj\"],\"baseModel\":\"" + TestWorker.BASE_MODEL + "\"}";
		for (String uri : new String[] { "file:///var/lib/quiver/adapters/other-tenant/bot/v1", "FILE:/etc",
				"ftp://example.com/bot", "https://169.254.169.254/latest/meta-data",
				"https://models.example.com@10.0.0.5/bot", "https://evil-hub.example.org/bot",
				"https://hub.example.org.evil.com/bot", "https:///bot", "not a uri", "s3://platform-models/base",
				"s3://tenant-adapters/another-tenant/bot", "s3://adapters/../platform-models/base",
				"hf://other-org/private-bot", "gs://adapters/bot" }) {
			HttpResponse<String> refused = http.post(path, this.writer.secret(), body.formatted(uri));
			assertThat(refused.statusCode()).as(uri + ": " + refused.body()).isEqualTo(400);
			assertThat(refused.headers().firstValue("Content-Type"))
				.hasValueSatisfying((type) -> assertThat(type).startsWith("application/problem+json"));
			assertThat(this.json.readTree(refused.body()).path("detail").asString()).contains("sourceUri");
		}
		for (String uri : new String[] { "s3://adapters/bot", "hf://acme/support-bot",
				"s3://tenant-adapters/" + this.writer.slug() + "/bot", "https://models.example.com/acme/bot",
				"https://MODELS.example.com/acme/bot", "https://eu.hub.example.org/acme/bot" }) {
			HttpResponse<String> accepted = http.post(path, this.writer.secret(), body.formatted(uri));
			assertThat(accepted.statusCode()).as(uri + ": " + accepted.body()).isEqualTo(201);
		}
	}

	private HttpResponse<String> upload(String name, byte[] config, byte[] weights) {
		return TestAdapters.upload(this.port, this.writer.slug(), this.writer.secret(), name, config, weights);
	}

}
