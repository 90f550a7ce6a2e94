package io.quiver.gateway;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quiver.gateway.TestWorkers.RunningWorker;
import io.quiver.tenancy.apikey.ApiKeyService;
import io.quiver.tenancy.tenant.TenantService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Uploads published to a Cloud Storage bucket: the gateway writes through the JSON API's
 * media upload with its service account's token, and a real worker process reads the
 * {@code gs://} URI with its own. Cloud Storage and the metadata server are played by an
 * in-process server that checks the tokens and the encoded object names as the real ones
 * need them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GcsAdapterStoreTests {

	private static final String GATEWAY_TOKEN = "ya29.gateway";

	private static final String WORKER_TOKEN = "ya29.worker";

	private static final Map<String, byte[]> objects = new ConcurrentHashMap<>();

	private static HttpServer storage;

	private static HttpServer gatewayMetadata;

	private static HttpServer workerMetadata;

	private static RunningWorker worker;

	@LocalServerPort
	private int port;

	@Autowired
	private TenantService tenants;

	@Autowired
	private ApiKeyService keys;

	@DynamicPropertySource
	static void store(DynamicPropertyRegistry registry) throws Exception {
		storage = server();
		storage.createContext("/upload/storage/v1/b/", GcsAdapterStoreTests::upload);
		storage.createContext("/storage/v1/b/", GcsAdapterStoreTests::download);
		gatewayMetadata = metadata(GATEWAY_TOKEN);
		workerMetadata = metadata(WORKER_TOKEN);
		RunningWorker shared = TestWorkers.shared();
		Path model = shared.adapters().resolveSibling(shared.baseModel());
		worker = TestWorkers.start(model, Files.createTempDirectory("quiver-gcs-worker-adapters"), Map.of(),
				"--quiver.worker.sources.gcs.endpoint=" + url(storage),
				"--quiver.worker.sources.gcs.metadata-server=" + url(workerMetadata),
				"--quiver.worker.sources.allow-http=true");
		registry.add("quiver.routing.workers", worker::url);
		registry.add("quiver.adapters.store-uri", () -> "gs://uploads/tenant-adapters");
		registry.add("quiver.adapters.gcs.endpoint", () -> url(storage));
		registry.add("quiver.adapters.gcs.metadata-server", () -> url(gatewayMetadata));
		registry.add("quiver.adapters.max-upload-size", () -> "16MB");
	}

	@AfterAll
	static void stop() {
		if (worker != null) {
			worker.close();
		}
		storage.stop(0);
		gatewayMetadata.stop(0);
		workerMetadata.stop(0);
	}

	@Test
	void whenAnAdapterIsUploadedThenItLandsInTheBucketAndAWorkerServesItFromThere() throws Exception {
		TestAdapterStores.uploadedAdapterServesFromTheBucket(this.port,
				TestCallers.tenantWithKey(this.tenants, this.keys, "adapters:write", "inference"), worker,
				"gs://uploads/tenant-adapters", objects::get);
	}

	@Test
	void whenARegistrationPointsIntoTheUploadBucketThenItIsRefused() {
		TestAdapterStores.registrationIntoTheBucketIsRefused(this.port,
				TestCallers.tenantWithKey(this.tenants, this.keys, "adapters:write"),
				"gs://uploads/tenant-adapters/another-tenant/bot/v1");
	}

	/** Media upload: only the gateway's token may write, to bucket {@code uploads}. */
	private static void upload(HttpExchange exchange) throws IOException {
		String query = exchange.getRequestURI().getRawQuery();
		if (!"POST".equals(exchange.getRequestMethod())
				|| !exchange.getRequestURI().getRawPath().equals("/upload/storage/v1/b/uploads/o") || query == null
				|| !query.startsWith("uploadType=media&name=")) {
			TestAdapterStores.respond(exchange, 400, "{}");
			return;
		}
		if (!("Bearer " + GATEWAY_TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
			TestAdapterStores.respond(exchange, 403, "{}");
			return;
		}
		String name = URLDecoder.decode(query.substring("uploadType=media&name=".length()), StandardCharsets.UTF_8);
		objects.put(name, exchange.getRequestBody().readAllBytes());
		TestAdapterStores.respond(exchange, 200, "{\"name\":\"" + name + "\"}");
	}

	/**
	 * Download: {@code /storage/v1/b/uploads/o/{encoded name}?alt=media}, either token.
	 */
	private static void download(HttpExchange exchange) throws IOException {
		String authorization = exchange.getRequestHeaders().getFirst("Authorization");
		if (!("Bearer " + WORKER_TOKEN).equals(authorization) && !("Bearer " + GATEWAY_TOKEN).equals(authorization)) {
			TestAdapterStores.respond(exchange, 401, "{}");
			return;
		}
		String path = exchange.getRequestURI().getRawPath();
		String prefix = "/storage/v1/b/uploads/o/";
		byte[] object = (path.startsWith(prefix) && !path.substring(prefix.length()).contains("/"))
				? objects.get(URLDecoder.decode(path.substring(prefix.length()), StandardCharsets.UTF_8)) : null;
		TestAdapterStores.respondWithObject(exchange,
				"alt=media".equals(exchange.getRequestURI().getRawQuery()) ? object : null);
	}

	private static HttpServer metadata(String token) throws IOException {
		HttpServer server = server();
		server.createContext("/computeMetadata/v1/instance/service-accounts/default/token", (exchange) -> {
			if (!"Google".equals(exchange.getRequestHeaders().getFirst("Metadata-Flavor"))) {
				TestAdapterStores.respond(exchange, 403, "{}");
				return;
			}
			TestAdapterStores.respond(exchange, 200,
					"{\"access_token\":\"" + token + "\",\"expires_in\":3599,\"token_type\":\"Bearer\"}");
		});
		return server;
	}

	private static HttpServer server() throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		server.start();
		return server;
	}

	private static String url(HttpServer server) {
		return "http://127.0.0.1:" + server.getAddress().getPort();
	}

}
