package io.quiver.gateway;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

import com.sun.net.httpserver.HttpExchange;
import io.quiver.gateway.TestCallers.TenantKey;
import io.quiver.gateway.TestWorkers.RunningWorker;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every bucket adapter store must do, end to end: an upload lands in the bucket, a
 * real worker given only the bucket URI serves it, and no registration may point into the
 * bucket.
 */
public final class TestAdapterStores {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private TestAdapterStores() {
	}

	/**
	 * Uploads a demo adapter, checks the bucket holds its files, and chats with it.
	 * @param port the gateway's port
	 * @param caller a tenant key with {@code adapters:write} and {@code inference}
	 * @param worker the worker the gateway routes to, reading the same bucket
	 * @param store the store's URI, {@code scheme://bucket/prefix}
	 * @param readObject reads an object of the bucket by its name
	 * @throws Exception if a step fails
	 */
	public static void uploadedAdapterServesFromTheBucket(int port, TenantKey caller, RunningWorker worker,
			String store, Function<String, byte[]> readObject) throws Exception {
		Path demo = TestWorkers.shared().adapters().resolve("demo-support");
		byte[] weights = Files.readAllBytes(demo.resolve("adapter_model.safetensors"));
		HttpResponse<String> uploaded = TestAdapters.upload(port, caller.slug(), caller.secret(), "support-bot",
				Files.readAllBytes(demo.resolve("adapter_config.json")), weights);
		assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
		String directory = store + "/" + caller.slug() + "/support-bot/v1";
		assertThat(JSON.readTree(uploaded.body()).path("sourceUri").asString()).isEqualTo(directory);
		String object = directory.substring(directory.indexOf('/', store.indexOf("://") + 3) + 1) + "/";
		assertThat(readObject.apply(object + "adapter_model.safetensors")).isEqualTo(weights);
		assertThat(new String(readObject.apply(object + "adapter_config.json"))).contains("LORA");

		HttpResponse<String> chat = new TestHttp(port).post("/v1/chat/completions", caller.secret(),
				"{\"model\":\"support-bot\",\"max_tokens\":4,\"temperature\":0,"
						+ "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}");
		assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
		JsonNode answer = JSON.readTree(chat.body());
		// the name the caller sent, while the worker ran the versioned id (its log,
		// below)
		assertThat(answer.path("model").asString()).isEqualTo("support-bot");
		assertThat(answer.path("usage").path("completion_tokens").asInt()).isBetween(1, 4);
		assertThat(Files.readString(worker.log())).contains("Downloaded adapter " + caller.slug() + "/support-bot@v1")
			.contains(directory);
	}

	/**
	 * @param port the gateway's port
	 * @param caller a tenant key with {@code adapters:write}
	 * @param uri a URI inside the store's bucket
	 */
	public static void registrationIntoTheBucketIsRefused(int port, TenantKey caller, String uri) {
		String body = "{\"sourceUri\":\"" + uri + "\",\"sha256\":\"" + "cd".repeat(32)
				+ "\",\"rank\":8,\"targetModules\":[\"q_proj\"],\"baseModel\":\"m\"}";
		HttpResponse<String> refused = new TestHttp(port)
			.post("/admin/v1/tenants/" + caller.slug() + "/adapters/stolen/versions", caller.secret(), body);
		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
		assertThat(JSON.readTree(refused.body()).path("detail").asString()).contains("sourceUri")
			.contains("adapter store");
	}

	/**
	 * Answers a stand-in cloud service's request with JSON.
	 * @param exchange the request
	 * @param status the status
	 * @param json the body
	 * @throws IOException if the answer cannot be written
	 */
	public static void respond(HttpExchange exchange, int status, String json) throws IOException {
		byte[] body = json.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.sendResponseHeaders(status, body.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(body);
		}
	}

	/**
	 * Answers a stand-in cloud service's request with an object's bytes, or 404.
	 * @param exchange the request
	 * @param object the object, or null
	 * @throws IOException if the answer cannot be written
	 */
	public static void respondWithObject(HttpExchange exchange, byte[] object) throws IOException {
		if (object == null) {
			respond(exchange, 404, "{}");
			return;
		}
		exchange.sendResponseHeaders(200, object.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(object);
		}
	}

}
