package io.quiver.worker.api;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quiver.worker.demo.DemoModel;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Adapters from {@code https://} (plain http here, allowed by configuration),
 * {@code s3://} and {@code hf://} sources, end to end: the worker's HTTP API, the real
 * engine on the tiny demo model, an in-process S3 (S3Proxy, SigV4 on), and in-process
 * HTTP servers standing in for a file host and for the Hugging Face hub and its CDN.
 */
class AdapterSourcesTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String ACCESS_KEY = "AKIAQUIVERTESTKEY";

	private static final String SECRET_KEY = "quiver-test-secret-access-key";

	private static final String HF_TOKEN = "hf_quivertesttoken";

	private static final String GCS_TOKEN = "ya29.quiver-test-token";

	private static final String AZURE_TOKEN = "eyJ0eXAi.quiver-test.entra";

	private static final String PROJECTED_TOKEN = "eyJhbGciOi.projected-service-account-token";

	private static final String PROMPT = """
			{"model":"%s","prompt":"The quick brown fox","max_tokens":8,"temperature":0,"ignore_eos":true}""";

	@TempDir
	static Path dir;

	static ConfigurableApplicationContext context;

	static String base;

	static HttpClient http = HttpClient.newHttpClient();

	static HttpServer origin;

	static HttpServer cdn;

	static HttpServer gcs;

	static HttpServer azure;

	static final List<String> blobRequests = new CopyOnWriteArrayList<>();

	static final List<String> gcsAuthorizations = new CopyOnWriteArrayList<>();

	static S3Proxy s3;

	static ServerSocket stalled;

	static final List<Socket> held = new CopyOnWriteArrayList<>();

	static final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

	static final List<String> cdnAuthorizations = new CopyOnWriteArrayList<>();

	static Path remote;

	@BeforeAll
	static void start() throws Exception {
		remote = dir.resolve("remote");
		InetAddress loopback = InetAddress.getLoopbackAddress();
		origin = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
		cdn = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
		origin.createContext("/files/", (exchange) -> serve(exchange, "/files/"));
		origin.createContext("/api/resolve-cache/", AdapterSourcesTests::resolveCache);
		origin.createContext("/", AdapterSourcesTests::hub);
		cdn.createContext("/lfs/", (exchange) -> {
			String authorization = exchange.getRequestHeaders().getFirst("Authorization");
			if (authorization != null) {
				cdnAuthorizations.add(authorization);
				send(exchange, 400, "Only one auth mechanism allowed");
				return;
			}
			serve(exchange, "/lfs/");
		});
		gcs = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
		gcs.createContext("/storage/v1/b/", AdapterSourcesTests::cloudStorage);
		gcs.createContext("/computeMetadata/v1/instance/service-accounts/default/token", (exchange) -> {
			if (!"Google".equals(exchange.getRequestHeaders().getFirst("Metadata-Flavor"))) {
				send(exchange, 403, "Missing Metadata-Flavor:Google header.");
				return;
			}
			send(exchange, 200,
					"{\"access_token\":\"" + GCS_TOKEN + "\",\"expires_in\":3599,\"token_type\":\"Bearer\"}");
		});
		azure = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
		azure.createContext("/entra-tenant/oauth2/v2.0/token", (exchange) -> {
			String form = new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
			boolean valid = form.contains("grant_type=client_credentials") && form.contains("client_id=worker-identity")
					&& form.contains("scope=https%3A%2F%2Fstorage.azure.com%2F.default")
					&& form.contains("client_assertion="
							+ java.net.URLEncoder.encode(PROJECTED_TOKEN, java.nio.charset.StandardCharsets.UTF_8));
			send(exchange, valid ? 200 : 401,
					valid ? "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"access_token\":\"" + AZURE_TOKEN + "\"}"
							: "{\"error\":\"invalid_client\"}");
		});
		azure.createContext("/quiveradapters/", AdapterSourcesTests::blobService);
		Files.createDirectories(dir);
		Files.writeString(dir.resolve("azure-identity-token"), PROJECTED_TOKEN + "\n");
		origin.start();
		cdn.start();
		gcs.start();
		azure.start();
		stalled = new ServerSocket(0, 50, loopback);
		Thread.ofVirtual().start(() -> {
			while (!stalled.isClosed()) {
				try {
					held.add(stalled.accept());
				}
				catch (IOException ex) {
					return;
				}
			}
		});
		s3 = S3Proxy.builder()
			.blobStore(new TransientNio2BlobStore())
			.endpoint(URI.create("http://127.0.0.1:0"))
			.awsAuthentication(AuthenticationType.AWS_V4, ACCESS_KEY, SECRET_KEY)
			.build();
		s3.start();
		while (!"STARTED".equals(s3.getState())) {
			Thread.sleep(10);
		}
		// the worker finds these through the AWS default credentials chain
		System.setProperty("aws.accessKeyId", ACCESS_KEY);
		System.setProperty("aws.secretAccessKey", SECRET_KEY);
		context = TestWorkers.start(dir, "quiver.worker.sources.cache-dir=" + dir.resolve("cache"),
				"quiver.worker.sources.allow-http=true", "quiver.worker.sources.allow-private-addresses=true",
				"quiver.worker.sources.connect-timeout=2s", "quiver.worker.sources.read-timeout=2s",
				"quiver.worker.sources.max-size=64MB", "quiver.worker.sources.s3.endpoint=" + s3Endpoint(),
				"quiver.worker.sources.s3.region=us-east-1", "quiver.worker.sources.s3.path-style=true",
				"quiver.worker.sources.hf.endpoint=http://127.0.0.1:" + origin.getAddress().getPort(),
				"quiver.worker.sources.hf.token=" + HF_TOKEN,
				"quiver.worker.sources.gcs.endpoint=http://127.0.0.1:" + gcs.getAddress().getPort(),
				"quiver.worker.sources.gcs.metadata-server=http://127.0.0.1:" + gcs.getAddress().getPort(),
				"quiver.worker.sources.azure.blob-endpoint=http://127.0.0.1:" + azure.getAddress().getPort()
						+ "/{account}",
				"quiver.worker.sources.azure.authority-host=http://127.0.0.1:" + azure.getAddress().getPort(),
				"quiver.worker.sources.azure.tenant-id=entra-tenant",
				"quiver.worker.sources.azure.client-id=worker-identity",
				"quiver.worker.sources.azure.federated-token-file=" + dir.resolve("azure-identity-token"));
		base = TestWorkers.baseUrl(context);
		List<DemoModel.AdapterSpec> specs = new ArrayList<>();
		for (String name : List.of("web", "flight", "wrong", "hub-legal", "hub-private", "hub-gated", "s3", "gcs",
				"blob")) {
			specs.add(new DemoModel.AdapterSpec(name, 4, 8, List.of("q_proj", "v_proj", "down_proj"), false));
		}
		DemoModel.generateAdapters(dir.resolve("tiny"), remote, specs);
		try (S3Client client = S3Client.builder()
			.endpointOverride(URI.create(s3Endpoint()))
			.region(Region.US_EAST_1)
			.forcePathStyle(true)
			.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
			.httpClient(UrlConnectionHttpClient.create())
			.build()) {
			client.createBucket((b) -> b.bucket("adapters"));
			for (String file : List.of("adapter_config.json", "adapter_model.safetensors")) {
				client.putObject((b) -> b.bucket("adapters").key("tenants/acme/s3/v1/" + file),
						RequestBody.fromFile(remote.resolve("s3").resolve(file)));
			}
		}
	}

	@AfterAll
	static void stop() throws Exception {
		if (context != null) {
			context.close();
		}
		System.clearProperty("aws.accessKeyId");
		System.clearProperty("aws.secretAccessKey");
		s3.stop();
		origin.stop(0);
		cdn.stop(0);
		gcs.stop(0);
		azure.stop(0);
		stalled.close();
		for (Socket socket : held) {
			socket.close();
		}
	}

	@Test
	void whenSourceIsHttpsThenTheAdapterIsDownloadedVerifiedCachedAndServes() throws Exception {
		String source = files() + "/web";
		HttpResponse<String> remoteAnswer = complete("acme/web@v1", source, sha256("web"));
		assertThat(remoteAnswer.statusCode()).as(remoteAnswer.body()).isEqualTo(200);
		HttpResponse<String> localAnswer = complete("acme/web-local@v1", remote.resolve("web").toUri().toString(),
				null);
		assertThat(text(remoteAnswer)).isEqualTo(text(localAnswer)).isNotEqualTo(text(complete("tiny", null, null)));
		Path cached = dir.resolve("cache").resolve("acme%2Fweb%40v1").resolve(sha256("web"));
		assertThat(cached.resolve("adapter_model.safetensors")).exists();
		assertThat(cached.resolve("adapter_config.json")).exists();
		try (var entries = Files.list(cached.getParent())) {
			assertThat(entries.map((p) -> p.getFileName().toString())).containsExactly(sha256("web"));
		}
		assertThat(tier("acme/web@v1")).isEqualTo("device");
	}

	@Test
	void whenManyColdRequestsNameOneSourceThenItIsDownloadedOnce() throws Exception {
		String source = files() + "/flight";
		String sha = sha256("flight");
		try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
			List<Future<HttpResponse<String>>> answers = new ArrayList<>();
			for (int i = 0; i < 4; i++) {
				answers.add(clients.submit(() -> complete("acme/flight@v1", source, sha)));
			}
			for (Future<HttpResponse<String>> answer : answers) {
				assertThat(answer.get().statusCode()).as(answer.get().body()).isEqualTo(200);
			}
		}
		assertThat(hits.get("/files/flight/adapter_model.safetensors").get()).isEqualTo(1);
	}

	@Test
	void whenSourceIsS3ThenItIsSignedDownloadedAndServes() throws Exception {
		HttpResponse<String> answer = complete("acme/s3@v1", "s3://adapters/tenants/acme/s3/v1", sha256("s3"));
		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
		assertThat(text(answer))
			.isEqualTo(text(complete("acme/s3-local@v1", remote.resolve("s3").toUri().toString(), null)));
		HttpResponse<String> missing = complete("acme/s3@v2", "s3://adapters/tenants/acme/s3/v2", null);
		assertThat(missing.statusCode()).isEqualTo(400);
		assertThat(error(missing)).contains("acme/s3@v2", "s3://adapters/tenants/acme/s3/v2/adapter_config.json",
				"does not exist");
	}

	@Test
	void whenSourceIsCloudStorageThenTheServiceAccountTokenReadsItAndItServes() throws Exception {
		HttpResponse<String> answer = complete("acme/gcs@v1", "gs://adapters/tenants/acme/gcs/v1", sha256("gcs"));
		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
		assertThat(text(answer))
			.isEqualTo(text(complete("acme/gcs-local@v1", remote.resolve("gcs").toUri().toString(), null)));
		assertThat(gcsAuthorizations).isNotEmpty().allMatch(("Bearer " + GCS_TOKEN)::equals);
		HttpResponse<String> missing = complete("acme/gcs@v2", "gs://adapters/tenants/acme/gcs/v2", null);
		assertThat(missing.statusCode()).isEqualTo(400);
		assertThat(error(missing)).contains("acme/gcs@v2", "tenants%2Facme%2Fgcs%2Fv2%2Fadapter_config.json",
				"does not exist");
		HttpResponse<String> forbidden = complete("acme/gcs@v3", "gs://other-bucket/x", null);
		assertThat(forbidden.statusCode()).isEqualTo(400);
		assertThat(error(forbidden)).contains("403", "roles/storage.objectViewer").doesNotContain(GCS_TOKEN);
	}

	@Test
	void whenSourceIsAzureBlobStorageThenTheWorkloadIdentityReadsItAndItServes() throws Exception {
		HttpResponse<String> answer = complete("acme/blob@v1", "az://quiveradapters/artifacts/adapters/acme/blob/v1",
				sha256("blob"));
		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
		assertThat(text(answer))
			.isEqualTo(text(complete("acme/blob-local@v1", remote.resolve("blob").toUri().toString(), null)));
		assertThat(blobRequests).isNotEmpty()
			.allMatch((request) -> request.equals("Bearer " + AZURE_TOKEN + " " + "2023-11-03"));
		HttpResponse<String> missing = complete("acme/blob@v2", "az://quiveradapters/artifacts/adapters/acme/blob/v2",
				null);
		assertThat(missing.statusCode()).isEqualTo(400);
		assertThat(error(missing)).contains("acme/blob@v2", "/quiveradapters/artifacts/adapters/acme/blob/v2/",
				"does not exist");
		HttpResponse<String> malformed = complete("acme/blob@v3", "az://Not_An_Account/x", null);
		assertThat(malformed.statusCode()).isEqualTo(400);
		assertThat(error(malformed)).contains("az://account/container/prefix").doesNotContain(AZURE_TOKEN);
	}

	@Test
	void whenSourceIsTheHubThenRedirectsAreFollowedAndTheTokenGoesToTheHubOnly() throws Exception {
		HttpResponse<String> main = complete("acme/hub-legal@v1", "hf://acme/legal", sha256("hub-legal"));
		assertThat(main.statusCode()).as(main.body()).isEqualTo(200);
		HttpResponse<String> pinned = complete("acme/hub-private@v1", "hf://acme/private@v1", sha256("hub-private"));
		assertThat(pinned.statusCode()).as(pinned.body()).isEqualTo(200);
		assertThat(hits.get("/acme/private/resolve/v1/adapter_model.safetensors").get()).isEqualTo(1);
		assertThat(hits.get("/lfs/hub-private/adapter_model.safetensors").get()).isEqualTo(1);
		assertThat(cdnAuthorizations).isEmpty();
		HttpResponse<String> preload = http
			.send(HttpRequest.newBuilder(URI.create(base + "/adapters/acme/hub-legal@v2"))
				.header("Quiver-Adapter-Source", "hf://acme/legal@main")
				.PUT(HttpRequest.BodyPublishers.noBody())
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(preload.statusCode()).as(preload.body()).isEqualTo(200);
		assertThat(tier("acme/hub-legal@v2")).isEqualTo("device");
	}

	@Test
	void whenTheHubRefusesTheTokenThenTheErrorSaysSoWithoutTheToken() throws Exception {
		HttpResponse<String> refused = complete("acme/hub-gated@v1", "hf://acme/gated", null);
		assertThat(refused.statusCode()).isEqualTo(400);
		JsonNode error = JSON.readTree(refused.body()).get("error");
		assertThat(error.get("code").asString()).isEqualTo("adapter_invalid");
		assertThat(error.get("message").asString())
			.contains("acme/hub-gated@v1", "/acme/gated/resolve/main/", "401", "token")
			.doesNotContain(HF_TOKEN);
		complete("tiny", null, null);
	}

	@Test
	void whenDigestIsWrongThenThatRequestFailsNothingIsCachedAndOthersAreServed() throws Exception {
		HttpResponse<String> wrong = complete("acme/wrong@v1", files() + "/wrong", "0".repeat(64));
		assertThat(wrong.statusCode()).isEqualTo(400);
		assertThat(error(wrong)).contains("acme/wrong@v1", "sha256", sha256("wrong"), "0".repeat(64));
		assertThat(dir.resolve("cache").resolve("acme%2Fwrong%40v1")).isEmptyDirectory();
		assertThat(tier("acme/wrong@v1")).isNull();
		assertThat(complete("tiny", null, null).statusCode()).isEqualTo(200);
		HttpResponse<String> right = complete("acme/wrong@v1", files() + "/wrong", sha256("wrong"));
		assertThat(right.statusCode()).as(right.body()).isEqualTo(200);
	}

	@Test
	void whenSourceIsUnreachableThenTheRequestFailsClearlyAndKeepsItsSecrets() throws Exception {
		int closed;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			closed = socket.getLocalPort();
		}
		HttpResponse<String> refused = complete("acme/gone@v1",
				"http://user:pa55word@127.0.0.1:" + closed + "/adapters/gone?sig=s3cr3t", null);
		assertThat(refused.statusCode()).isEqualTo(400);
		assertThat(error(refused)).contains("acme/gone@v1", "127.0.0.1:" + closed + "/adapters/gone", "unreachable")
			.doesNotContain("pa55word", "s3cr3t", "user");
		HttpResponse<String> slow = complete("acme/slow@v1",
				"http://127.0.0.1:" + stalled.getLocalPort() + "/adapters/slow", null);
		assertThat(slow.statusCode()).isEqualTo(400);
		assertThat(error(slow)).contains("acme/slow@v1", "timed out", "2000 ms");
		HttpResponse<String> unknown = complete("acme/ftp@v1", "ftp://example.com/adapters/x", null);
		assertThat(unknown.statusCode()).isEqualTo(400);
		assertThat(error(unknown)).contains("Quiver-Adapter-Source");
		assertThat(complete("tiny", null, null).statusCode()).isEqualTo(200);
	}

	private static String files() {
		return "http://127.0.0.1:" + origin.getAddress().getPort() + "/files";
	}

	private static String s3Endpoint() {
		return "http://127.0.0.1:" + s3.getPort();
	}

	/**
	 * The hub: {@code /{org}/{name}/resolve/{revision}/{file}}. Repositories
	 * {@code legal} (public), {@code private} (needs the token) and {@code gated}
	 * (refuses every token); revisions {@code main} and {@code v1}. Small files redirect
	 * within the hub, large ones to the CDN, as the real hub does.
	 */
	private static void hub(HttpExchange exchange) throws IOException {
		String path = exchange.getRequestURI().getPath();
		count(path);
		String[] parts = path.substring(1).split("/");
		if (parts.length != 5 || !"acme".equals(parts[0]) || !"resolve".equals(parts[2])
				|| !List.of("main", "v1").contains(parts[3])) {
			send(exchange, 404, "Repository not found");
			return;
		}
		String repo = parts[1];
		String authorization = exchange.getRequestHeaders().getFirst("Authorization");
		if ("gated".equals(repo) || ("private".equals(repo) && !("Bearer " + HF_TOKEN).equals(authorization))) {
			send(exchange, 401, "Invalid username or password.");
			return;
		}
		String folder = "hub-" + repo;
		String file = parts[4];
		if ("adapter_model.safetensors".equals(file)) {
			redirect(exchange, "http://127.0.0.1:" + cdn.getAddress().getPort() + "/lfs/" + folder + "/" + file
					+ "?X-Amz-Signature=cdn");
		}
		else {
			redirect(exchange, "/api/resolve-cache/" + folder + "/" + file);
		}
	}

	/**
	 * Cloud Storage's JSON API: {@code /storage/v1/b/{bucket}/o/{object}?alt=media}, the
	 * object name percent-encoded, with the service account's bearer token. Bucket
	 * {@code adapters} holds {@code tenants/acme/gcs/v1/*}; others are forbidden.
	 */
	private static void cloudStorage(HttpExchange exchange) throws IOException {
		gcsAuthorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
		String[] parts = exchange.getRequestURI().getRawPath().split("/");
		if (parts.length != 7 || !"alt=media".equals(exchange.getRequestURI().getRawQuery())
				|| !("Bearer " + GCS_TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
			send(exchange, 401, "Unauthorized");
			return;
		}
		if (!"adapters".equals(parts[4])) {
			send(exchange, 403, "does not have storage.objects.get access");
			return;
		}
		String object = java.net.URLDecoder.decode(parts[6], java.nio.charset.StandardCharsets.UTF_8);
		Path file = remote.resolve("gcs").resolve(object.replaceFirst("^tenants/acme/gcs/v1/", ""));
		if (!object.startsWith("tenants/acme/gcs/v1/") || !Files.isRegularFile(file)) {
			send(exchange, 404, "No such object");
			return;
		}
		byte[] body = Files.readAllBytes(file);
		exchange.sendResponseHeaders(200, body.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(body);
		}
	}

	/**
	 * Blob Storage, account {@code quiveradapters} with path-style addressing:
	 * {@code /{account}/{container}/{blob}}, the Entra token and an {@code x-ms-version}.
	 * Container {@code artifacts} holds {@code adapters/acme/blob/v1/*}.
	 */
	private static void blobService(HttpExchange exchange) throws IOException {
		String authorization = exchange.getRequestHeaders().getFirst("Authorization");
		blobRequests.add(authorization + " " + exchange.getRequestHeaders().getFirst("x-ms-version"));
		if (!("Bearer " + AZURE_TOKEN).equals(authorization)
				|| exchange.getRequestHeaders().getFirst("x-ms-version") == null) {
			send(exchange, 401, "NoAuthenticationInformation");
			return;
		}
		String prefix = "/quiveradapters/artifacts/adapters/acme/blob/v1/";
		String path = exchange.getRequestURI().getPath();
		Path file = remote.resolve("blob").resolve(path.substring(Math.min(path.length(), prefix.length())));
		if (!path.startsWith(prefix) || !Files.isRegularFile(file)) {
			send(exchange, 404, "BlobNotFound");
			return;
		}
		byte[] body = Files.readAllBytes(file);
		exchange.sendResponseHeaders(200, body.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(body);
		}
	}

	private static void resolveCache(HttpExchange exchange) throws IOException {
		String path = exchange.getRequestURI().getPath();
		if (path.contains("private")
				&& !("Bearer " + HF_TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
			send(exchange, 401, "Invalid username or password.");
			return;
		}
		serve(exchange, "/api/resolve-cache/");
	}

	private static void serve(HttpExchange exchange, String prefix) throws IOException {
		String path = exchange.getRequestURI().getPath();
		count(path);
		Path file = remote.resolve(path.substring(prefix.length())).normalize();
		if (!file.startsWith(remote) || !Files.isRegularFile(file)) {
			send(exchange, 404, "Not Found");
			return;
		}
		byte[] body = Files.readAllBytes(file);
		exchange.sendResponseHeaders(200, body.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(body);
		}
	}

	private static void count(String path) {
		hits.computeIfAbsent(path, (p) -> new AtomicInteger()).incrementAndGet();
	}

	private static void redirect(HttpExchange exchange, String location) throws IOException {
		exchange.getResponseHeaders().set("Location", location);
		exchange.sendResponseHeaders(302, -1);
		exchange.close();
	}

	private static void send(HttpExchange exchange, int status, String text) throws IOException {
		byte[] body = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
		exchange.sendResponseHeaders(status, body.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(body);
		}
	}

	private static String sha256(String adapter) throws Exception {
		return HexFormat.of()
			.formatHex(MessageDigest.getInstance("SHA-256")
				.digest(Files.readAllBytes(remote.resolve(adapter).resolve("adapter_model.safetensors"))));
	}

	private static HttpResponse<String> complete(String model, String source, String sha256) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(PROMPT.formatted(model)));
		if (source != null) {
			request.header("Quiver-Adapter-Source", source);
		}
		if (sha256 != null) {
			request.header("Quiver-Adapter-Sha256", sha256);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static String text(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode body = JSON.readTree(response.body());
		assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(8);
		return body.at("/choices/0/text").asString();
	}

	private static String error(HttpResponse<String> response) {
		JsonNode error = JSON.readTree(response.body()).get("error");
		assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
		return error.get("message").asString();
	}

	private static String tier(String id) throws Exception {
		HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/status")).build(),
				HttpResponse.BodyHandlers.ofString());
		for (JsonNode adapter : JSON.readTree(response.body()).get("adapters")) {
			if (adapter.get("id").asString().equals(id)) {
				return adapter.get("tier").asString();
			}
		}
		return null;
	}

}
