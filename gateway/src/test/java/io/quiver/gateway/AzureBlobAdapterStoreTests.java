package io.quiver.gateway;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
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
 * Uploads published to an Azure Blob Storage container: the gateway writes block blobs
 * with the Entra token its workload identity exchanges, and a real worker process reads
 * the {@code az://} URI with a token for its own identity. Entra ID and the Blob service
 * are played by an in-process server that checks the token exchange and which identity
 * may write.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AzureBlobAdapterStoreTests {

	private static final String PROJECTED = "eyJhbGciOi.projected-service-account-token";

	private static final Map<String, byte[]> blobs = new ConcurrentHashMap<>();

	private static HttpServer azure;

	private static RunningWorker worker;

	@LocalServerPort
	private int port;

	@Autowired
	private TenantService tenants;

	@Autowired
	private ApiKeyService keys;

	@DynamicPropertySource
	static void store(DynamicPropertyRegistry registry) throws Exception {
		azure = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		azure.createContext("/entra-tenant/oauth2/v2.0/token", AzureBlobAdapterStoreTests::token);
		azure.createContext("/quiveruploads/", AzureBlobAdapterStoreTests::blob);
		azure.start();
		Path tokenFile = Files.createTempFile("quiver-azure-identity", ".jwt");
		Files.writeString(tokenFile, PROJECTED);
		String endpoint = "http://127.0.0.1:" + azure.getAddress().getPort();
		RunningWorker shared = TestWorkers.shared();
		Path model = shared.adapters().resolveSibling(shared.baseModel());
		worker = TestWorkers.start(model, Files.createTempDirectory("quiver-azure-worker-adapters"), Map.of(),
				"--quiver.worker.sources.azure.blob-endpoint=" + endpoint + "/{account}",
				"--quiver.worker.sources.azure.authority-host=" + endpoint,
				"--quiver.worker.sources.azure.tenant-id=entra-tenant",
				"--quiver.worker.sources.azure.client-id=worker-identity",
				"--quiver.worker.sources.azure.federated-token-file=" + tokenFile,
				"--quiver.worker.sources.allow-http=true");
		registry.add("quiver.routing.workers", worker::url);
		registry.add("quiver.adapters.store-uri", () -> "az://quiveruploads/artifacts/tenant-adapters");
		registry.add("quiver.adapters.azure.blob-endpoint", () -> endpoint + "/{account}");
		registry.add("quiver.adapters.azure.authority-host", () -> endpoint);
		registry.add("quiver.adapters.azure.tenant-id", () -> "entra-tenant");
		registry.add("quiver.adapters.azure.client-id", () -> "gateway-identity");
		registry.add("quiver.adapters.azure.federated-token-file", tokenFile::toString);
		registry.add("quiver.adapters.max-upload-size", () -> "16MB");
	}

	@AfterAll
	static void stop() {
		if (worker != null) {
			worker.close();
		}
		azure.stop(0);
	}

	@Test
	void whenAnAdapterIsUploadedThenItLandsInTheContainerAndAWorkerServesItFromThere() throws Exception {
		TestAdapterStores.uploadedAdapterServesFromTheBucket(this.port,
				TestCallers.tenantWithKey(this.tenants, this.keys, "adapters:write", "inference"), worker,
				"az://quiveruploads/artifacts/tenant-adapters", blobs::get);
	}

	@Test
	void whenARegistrationPointsIntoTheUploadAccountThenItIsRefused() {
		TestAdapterStores.registrationIntoTheBucketIsRefused(this.port,
				TestCallers.tenantWithKey(this.tenants, this.keys, "adapters:write"),
				"az://quiveruploads/artifacts/tenant-adapters/another-tenant/bot/v1");
	}

	/**
	 * The client-credentials exchange of a projected token; the token names its client.
	 */
	private static void token(HttpExchange exchange) throws IOException {
		String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
		boolean valid = form.contains("grant_type=client_credentials")
				&& form.contains("client_assertion=" + URLEncoder.encode(PROJECTED, StandardCharsets.UTF_8))
				&& form.contains("scope=https%3A%2F%2Fstorage.azure.com%2F.default");
		String client = form.contains("client_id=gateway-identity") ? "gateway"
				: form.contains("client_id=worker-identity") ? "worker" : null;
		if (!valid || client == null) {
			TestAdapterStores.respond(exchange, 401, "{\"error\":\"invalid_client\"}");
			return;
		}
		TestAdapterStores.respond(exchange, 200,
				"{\"token_type\":\"Bearer\",\"expires_in\":3599,\"access_token\":\"entra-" + client + "\"}");
	}

	/**
	 * Path-style Blob service for account {@code quiveruploads}: only the gateway's token
	 * may put block blobs; either token may read.
	 */
	private static void blob(HttpExchange exchange) throws IOException {
		String authorization = exchange.getRequestHeaders().getFirst("Authorization");
		if (exchange.getRequestHeaders().getFirst("x-ms-version") == null) {
			TestAdapterStores.respond(exchange, 400, "{}");
			return;
		}
		String name = URLDecoder.decode(exchange.getRequestURI().getRawPath().substring("/quiveruploads/".length()),
				StandardCharsets.UTF_8);
		if ("PUT".equals(exchange.getRequestMethod())) {
			if (!"Bearer entra-gateway".equals(authorization)
					|| !"BlockBlob".equals(exchange.getRequestHeaders().getFirst("x-ms-blob-type"))) {
				TestAdapterStores.respond(exchange, 403, "{}");
				return;
			}
			blobs.put(name, exchange.getRequestBody().readAllBytes());
			exchange.sendResponseHeaders(201, -1);
			exchange.close();
			return;
		}
		byte[] body = blobs.get(name);
		if (!"Bearer entra-worker".equals(authorization) && !"Bearer entra-gateway".equals(authorization)) {
			TestAdapterStores.respond(exchange, 401, "{}");
			return;
		}
		TestAdapterStores.respondWithObject(exchange, body);
	}

}
