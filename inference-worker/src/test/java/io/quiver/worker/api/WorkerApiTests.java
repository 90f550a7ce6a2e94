package io.quiver.worker.api;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.quiver.worker.demo.DemoModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real HTTP against the real engine on the tiny demo model, started the way the gateway's
 * tests start it.
 */
class WorkerApiTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	static Path dir;

	static ConfigurableApplicationContext context;

	static HttpClient http = HttpClient.newHttpClient();

	static String base;

	@BeforeAll
	static void start() throws Exception {
		context = TestWorkers.start(dir);
		base = TestWorkers.baseUrl(context);
	}

	@AfterAll
	static void stop() {
		context.close();
	}

	@Test
	void whenModelsAreListedThenBaseAndAdaptersAppear() throws Exception {
		HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/models")).build(),
				HttpResponse.BodyHandlers.ofString());
		JsonNode body = JSON.readTree(response.body());
		List<String> ids = new ArrayList<>();
		body.get("data").forEach((m) -> ids.add(m.get("id").asString()));
		assertThat(ids).startsWith("tiny").contains("demo-legal", "demo-sql", "demo-support");
	}

	@Test
	void whenGreedyCompletionRunsTwiceThenTextIsIdenticalAndUsageCounts() throws Exception {
		String request = """
				{"model":"tiny","prompt":"The quick brown fox","max_tokens":12,"temperature":0}""";
		JsonNode first = post("/v1/completions", request, 200);
		JsonNode second = post("/v1/completions", request, 200);
		assertThat(first.get("object").asString()).isEqualTo("text_completion");
		assertThat(first.at("/choices/0/text").asString()).isEqualTo(second.at("/choices/0/text").asString());
		assertThat(first.at("/usage/completion_tokens").asInt()).isBetween(1, 12);
		assertThat(first.at("/usage/prompt_tokens").asInt()).isPositive();
		assertThat(first.at("/usage/total_tokens").asInt())
			.isEqualTo(first.at("/usage/prompt_tokens").asInt() + first.at("/usage/completion_tokens").asInt());
	}

	@Test
	void whenSeedIsGivenThenSampledTextRepeatsAndAnotherSeedDiffers() throws Exception {
		String template = """
				{"model":"tiny","prompt":"Hello","max_tokens":24,"temperature":1.0,"seed":%d,"ignore_eos":true}""";
		String a = post("/v1/completions", template.formatted(7), 200).at("/choices/0/text").asString();
		String b = post("/v1/completions", template.formatted(7), 200).at("/choices/0/text").asString();
		String c = post("/v1/completions", template.formatted(8), 200).at("/choices/0/text").asString();
		assertThat(a).isEqualTo(b);
		assertThat(c).isNotEqualTo(a);
	}

	@Test
	void whenMaxTokensIsReachedThenFinishReasonIsLength() throws Exception {
		JsonNode body = post("/v1/completions", """
				{"model":"tiny","prompt":"Hello","max_tokens":5,"temperature":0.8,"seed":1,"ignore_eos":true}""", 200);
		assertThat(body.at("/choices/0/finish_reason").asString()).isEqualTo("length");
		assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(5);
	}

	@Test
	void whenStopStringAppearsThenTextEndsBeforeItStreamedOrNot() throws Exception {
		String free = post("/v1/completions", """
				{"model":"tiny","prompt":"Hello","max_tokens":40,"temperature":1.0,"seed":3,"ignore_eos":true}""", 200)
			.at("/choices/0/text")
			.asString();
		assertThat(free.length()).isGreaterThan(12);
		String stop = free.substring(8, 11);
		String expected = free.substring(0, free.indexOf(stop));
		String request = """
				{"model":"tiny","prompt":"Hello","max_tokens":40,"temperature":1.0,"seed":3,"ignore_eos":true,"stop":%s,"stream":%s}""";
		JsonNode whole = post("/v1/completions", request.formatted(JSON.writeValueAsString(stop), false), 200);
		assertThat(whole.at("/choices/0/text").asString()).isEqualTo(expected);
		assertThat(whole.at("/choices/0/finish_reason").asString()).isEqualTo("stop");
		List<JsonNode> chunks = stream("/v1/completions", request.formatted(JSON.writeValueAsString(stop), true));
		StringBuilder streamed = new StringBuilder();
		chunks.forEach((c) -> streamed.append(c.at("/choices/0/text").asString("")));
		assertThat(streamed.toString()).isEqualTo(expected);
		assertThat(chunks.get(chunks.size() - 1).at("/choices/0/finish_reason").asString()).isEqualTo("stop");
	}

	@Test
	void whenChatStreamsThenChunksMatchTheWholeAnswerAndUsageComesLast() throws Exception {
		String request = """
				{"model":"tiny","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}],
				 "max_tokens":10,"temperature":0,"stream":%s,"stream_options":{"include_usage":true}}""";
		JsonNode whole = post("/v1/chat/completions", request.formatted(false), 200);
		assertThat(whole.get("object").asString()).isEqualTo("chat.completion");
		assertThat(whole.at("/choices/0/message/role").asString()).isEqualTo("assistant");
		List<JsonNode> chunks = stream("/v1/chat/completions", request.formatted(true));
		assertThat(chunks.get(0).at("/choices/0/delta/role").asString()).isEqualTo("assistant");
		StringBuilder text = new StringBuilder();
		chunks.forEach((c) -> text.append(c.at("/choices/0/delta/content").asString("")));
		assertThat(text.toString()).isEqualTo(whole.at("/choices/0/message/content").asString());
		JsonNode last = chunks.get(chunks.size() - 1);
		assertThat(last.get("choices")).isEmpty();
		assertThat(last.at("/usage/completion_tokens").asInt()).isEqualTo(whole.at("/usage/completion_tokens").asInt());
		assertThat(last.get("object").asString()).isEqualTo("chat.completion.chunk");
	}

	@Test
	void whenAdapterIsNamedThenItChangesTheGreedyAnswer() throws Exception {
		String request = """
				{"model":"%s","prompt":"The quick brown fox","max_tokens":16,"temperature":0,"ignore_eos":true}""";
		String base = post("/v1/completions", request.formatted("tiny"), 200).at("/choices/0/text").asString();
		String adapted = post("/v1/completions", request.formatted("demo-legal"), 200).at("/choices/0/text").asString();
		assertThat(adapted).isNotEqualTo(base);
	}

	@Test
	void whenTheGatewaySaysWhichNameItsCallerUsedThenTheAnswerShowsThatName() throws Exception {
		// A gateway resolves a tenant's adapter name to the adapter's versioned id; its
		// caller should see the name it sent, in whole answers and in every chunk.
		String[] shownAs = { "Quiver-Model-Name", "legal-bot@v3" };
		String completion = "{\"model\":\"demo-legal\",\"prompt\":\"Hello\",\"max_tokens\":3,\"temperature\":0}";
		assertThat(post("/v1/completions", completion, 200, shownAs).get("model").asString()).isEqualTo("legal-bot@v3");
		String chat = "{\"model\":\"demo-legal\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
				+ "\"max_tokens\":3,\"stream\":%s}";
		assertThat(post("/v1/chat/completions", chat.formatted(false), 200, shownAs).get("model").asString())
			.isEqualTo("legal-bot@v3");
		assertThat(stream("/v1/chat/completions", chat.formatted(true), shownAs))
			.extracting((chunk) -> chunk.get("model").asString())
			.isNotEmpty()
			.containsOnly("legal-bot@v3");
		// without the header, the request's model as before
		assertThat(post("/v1/chat/completions", chat.formatted(false), 200).get("model").asString())
			.isEqualTo("demo-legal");
		assertThat(post("/v1/chat/completions", chat.formatted(false), 400, "Quiver-Model-Name", "x".repeat(257))
			.at("/error/message")
			.asString()).contains("Quiver-Model-Name");
	}

	@Test
	void whenManyChoicesAndLogprobsAreAskedThenEachChoiceHasThem() throws Exception {
		JsonNode body = post("/v1/chat/completions", """
				{"model":"tiny","messages":[{"role":"user","content":"Hi"}],"max_tokens":4,"n":2,"seed":5,
				 "logprobs":true,"top_logprobs":3,"ignore_eos":true}""", 200);
		assertThat(body.get("choices")).hasSize(2);
		JsonNode content = body.at("/choices/1/logprobs/content");
		assertThat(content).hasSize(4);
		assertThat(content.get(0).get("top_logprobs")).hasSize(3);
		assertThat(content.get(0).get("logprob").asDouble()).isLessThanOrEqualTo(0.0);
	}

	@Test
	void whenManyChoicesShareTheirPromptThenEachEqualsASeparateRequestWithItsSeed() throws Exception {
		// longer than one 16-token KV block, so the choices after the first take its
		// blocks
		String prompt = "The quick brown fox jumps over the lazy dog while the cat watches from the warm windowsill.";
		String request = """
				{"model":"%s","prompt":"%s","max_tokens":10,"temperature":1.0,"seed":%d,"n":%d,"ignore_eos":true}""";
		JsonNode together = post("/v1/completions", request.formatted("tiny", prompt, 11, 3), 200);
		assertThat(together.at("/usage/prompt_tokens").asInt()).isGreaterThan(16);
		assertThat(together.get("choices")).hasSize(3);
		List<String> texts = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			JsonNode choice = together.get("choices").get(i);
			String alone = post("/v1/completions", request.formatted("tiny", prompt, 11 + i, 1), 200)
				.at("/choices/0/text")
				.asString();
			assertThat(choice.get("text").asString()).as("choice %d", i).isEqualTo(alone);
			texts.add(alone);
		}
		assertThat(texts).doesNotHaveDuplicates();
		JsonNode adapted = post("/v1/completions", request.formatted("demo-sql", prompt, 5, 2), 200);
		assertThat(adapted.at("/choices/1/text").asString())
			.isEqualTo(post("/v1/completions", request.formatted("demo-sql", prompt, 6, 1), 200).at("/choices/0/text")
				.asString());
	}

	@Test
	void whenInputIsBadThenTheOpenAiEnvelopeSaysWhy() throws Exception {
		JsonNode unknown = post("/v1/chat/completions", """
				{"model":"nope","messages":[{"role":"user","content":"Hi"}]}""", 404);
		assertThat(unknown.at("/error/code").asString()).isEqualTo("model_not_found");
		JsonNode temperature = post("/v1/completions", """
				{"model":"tiny","prompt":"x","temperature":9}""", 400);
		assertThat(temperature.at("/error/param").asString()).isEqualTo("temperature");
		assertThat(temperature.at("/error/type").asString()).isEqualTo("invalid_request_error");
		JsonNode malformed = post("/v1/completions", "{not json", 400);
		assertThat(malformed.at("/error/message").asString()).contains("JSON");
		JsonNode messages = post("/v1/chat/completions", """
				{"model":"tiny","messages":[]}""", 400);
		assertThat(messages.at("/error/param").asString()).isEqualTo("messages");
		JsonNode maxTokens = post("/v1/completions", """
				{"model":"tiny","prompt":"x","max_tokens":0}""", 400);
		assertThat(maxTokens.at("/error/param").asString()).isEqualTo("max_tokens");
	}

	@Test
	void whenStatusIsReadThenItDescribesTheEngine() throws Exception {
		JsonNode status = get("/status", 200);
		assertThat(status.get("model").asString()).isEqualTo("tiny");
		assertThat(status.get("queue_depth").asInt()).isNotNegative();
		assertThat(status.get("kv_cache_usage").asDouble()).isBetween(0.0, 1.0);
		assertThat(status.get("draining").asBoolean()).isFalse();
		assertThat(status.at("/capacity/max_running").asInt()).isPositive();
	}

	@Test
	void whenAdapterComesFromASourceWithItsDigestThenItServesAndAWrongDigestFailsClearly() throws Exception {
		Path source = dir.resolve("store/sql-v1");
		DemoModel.generateAdapters(dir.resolve("tiny"), dir.resolve("store"),
				List.of(new DemoModel.AdapterSpec("sql-v1", 4, 8, List.of("q_proj", "o_proj"), false)));
		String sha = java.util.HexFormat.of()
			.formatHex(java.security.MessageDigest.getInstance("SHA-256")
				.digest(java.nio.file.Files.readAllBytes(source.resolve("adapter_model.safetensors"))));
		String body = """
				{"model":"%s","prompt":"Hello","max_tokens":3,"temperature":0}""";
		HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
			.header("Content-Type", "application/json")
			.header("Quiver-Adapter-Source", source.toUri().toString())
			.header("Quiver-Adapter-Sha256", sha)
			.POST(HttpRequest.BodyPublishers.ofString(body.formatted("acme/sql@v1")))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
		HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
			.header("Content-Type", "application/json")
			.header("Quiver-Adapter-Source", source.toUri().toString())
			.header("Quiver-Adapter-Sha256", "0".repeat(64))
			.POST(HttpRequest.BodyPublishers.ofString(body.formatted("acme/sql@v2")))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(wrong.statusCode()).isEqualTo(400);
		assertThat(JSON.readTree(wrong.body()).at("/error/message").asString()).contains("sha256");
		JsonNode status = get("/status", 200);
		List<String> held = new ArrayList<>();
		status.get("adapters").forEach((a) -> held.add(a.get("id").asString()));
		assertThat(held).contains("acme/sql@v1").doesNotContain("acme/sql@v2");
	}

	@Test
	void whenAdapterIsBrokenThenThatRequestFailsAndOthersAreServed() throws Exception {
		Path broken = dir.resolve("adapters/broken");
		java.nio.file.Files.createDirectories(broken);
		java.nio.file.Files.writeString(broken.resolve("adapter_config.json"),
				"{\"peft_type\":\"LORA\",\"r\":4,\"lora_alpha\":8,\"target_modules\":[\"q_proj\"]}");
		java.nio.file.Files.write(broken.resolve("adapter_model.safetensors"), new byte[] { 1, 2, 3 });
		JsonNode failed = post("/v1/completions", """
				{"model":"broken","prompt":"Hello","max_tokens":3}""", 400);
		assertThat(failed.at("/error/message").asString()).contains("broken");
		post("/v1/completions", """
				{"model":"tiny","prompt":"Hello","max_tokens":3}""", 200);
	}

	@Test
	void whenAdapterIsPreloadedPinnedAndEvictedThenStatusFollows() throws Exception {
		HttpResponse<String> put = http
			.send(HttpRequest.newBuilder(URI.create(base + "/adapters/demo-support?pin=true"))
				.PUT(HttpRequest.BodyPublishers.noBody())
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
		JsonNode held = adapter(get("/status", 200), "demo-support");
		assertThat(held.get("tier").asString()).isEqualTo("device");
		assertThat(held.get("pinned").asBoolean()).isTrue();
		HttpResponse<String> delete = http.send(
				HttpRequest.newBuilder(URI.create(base + "/adapters/demo-support")).DELETE().build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(delete.statusCode()).isEqualTo(200);
		assertThat(adapter(get("/status", 200), "demo-support")).isNull();
		HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(base + "/adapters/nope"))
			.PUT(HttpRequest.BodyPublishers.noBody())
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(missing.statusCode()).isEqualTo(404);
	}

	@Test
	void whenPrometheusIsScrapedThenEngineMetersAppear() throws Exception {
		post("/v1/completions", """
				{"model":"tiny","prompt":"Hello","max_tokens":2}""", 200);
		String body = prometheus();
		assertThat(body).contains("quiver_worker_queue_depth", "quiver_worker_kv_cache_usage",
				"quiver_worker_generated_tokens_total", "quiver_worker_adapter_hits_total",
				"# TYPE quiver_worker_batch_rows gauge", "quiver_worker_forward_rows_total");
	}

	@Test
	void whenRequestsCompleteThenTimeToFirstTokenAndTimePerOutputTokenAreHistograms() throws Exception {
		String before = prometheus();
		double firstTokens = sample(before, "quiver_worker_time_to_first_token_seconds_count");
		double perToken = sample(before, "quiver_worker_time_per_output_token_seconds_count");
		double perTokenSum = sample(before, "quiver_worker_time_per_output_token_seconds_sum");
		post("/v1/completions", """
				{"model":"tiny","prompt":"Hello","max_tokens":6,"n":2,"seed":1,"ignore_eos":true}""", 200);
		stream("/v1/chat/completions", """
				{"model":"tiny","messages":[{"role":"user","content":"Hi"}],"max_tokens":5,"ignore_eos":true,
				 "stream":true}""");
		String after = prometheus();
		// three sequences: two choices of the first request, one of the second
		assertThat(sample(after, "quiver_worker_time_to_first_token_seconds_count")).isEqualTo(firstTokens + 3);
		assertThat(sample(after, "quiver_worker_time_per_output_token_seconds_count")).isEqualTo(perToken + 3);
		assertThat(sample(after, "quiver_worker_time_per_output_token_seconds_sum")).isGreaterThan(perTokenSum);
		assertThat(after).contains("quiver_worker_time_to_first_token_seconds_bucket{le=\"+Inf\"}",
				"quiver_worker_time_per_output_token_seconds_bucket{le=\"+Inf\"}");
	}

	private static String prometheus() throws Exception {
		HttpResponse<String> response = http.send(
				HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus")).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}

	/** The value of an unlabelled sample in Prometheus text, 0 when absent. */
	private static double sample(String body, String name) {
		return body.lines()
			.filter((line) -> line.startsWith(name + " "))
			.mapToDouble((line) -> Double.parseDouble(line.substring(name.length() + 1).trim()))
			.findFirst()
			.orElse(0);
	}

	private static JsonNode adapter(JsonNode status, String id) {
		for (JsonNode a : status.get("adapters")) {
			if (a.get("id").asString().equals(id)) {
				return a;
			}
		}
		return null;
	}

	private JsonNode get(String path, int status) throws Exception {
		HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		return JSON.readTree(response.body());
	}

	private JsonNode post(String path, String body, int status, String... headers) throws Exception {
		HttpResponse<String> response = http.send(
				request(path, headers).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		return JSON.readTree(response.body());
	}

	/** A JSON request to the worker, with any more headers given as name, value, ... */
	private static HttpRequest.Builder request(String path, String... headers) {
		HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path))
			.header("Content-Type", "application/json");
		return (headers.length > 0) ? builder.headers(headers) : builder;
	}

	private List<JsonNode> stream(String path, String body, String... headers) throws Exception {
		HttpResponse<java.util.stream.Stream<String>> response = http.send(
				request(path, headers).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
				HttpResponse.BodyHandlers.ofLines());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
		List<String> data = response.body().filter((l) -> l.startsWith("data: ")).map((l) -> l.substring(6)).toList();
		assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
		List<JsonNode> chunks = new ArrayList<>();
		for (String d : data.subList(0, data.size() - 1)) {
			chunks.add(JSON.readTree(d));
		}
		return chunks;
	}

}
