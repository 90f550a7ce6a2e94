package io.quiver.gateway;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.quiver.gateway.TestCallers.TenantKey;
import io.quiver.gateway.TestWorkers.RunningWorker;
import io.quiver.tenancy.apikey.ApiKeyService;
import io.quiver.tenancy.tenant.TenantService;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Uploads published to an S3 bucket, as a deployment where gateways and workers share no
 * disk needs: the gateway writes the PEFT directory to an in-process S3-compatible
 * server, and a real worker process, given only the {@code s3://} URI, fetches it with
 * its own credentials, verifies it and answers with the adapter.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class S3AdapterStoreTests {

	private static final String ACCESS_KEY = "quiver-test-access";

	private static final String SECRET_KEY = "quiver-test-secret-key";

	private static S3Proxy s3;

	private static RunningWorker worker;

	@LocalServerPort
	private int port;

	@Autowired
	private TenantService tenants;

	@Autowired
	private ApiKeyService keys;

	@DynamicPropertySource
	static void store(DynamicPropertyRegistry registry) throws Exception {
		s3 = S3Proxy.builder()
			.blobStore(new TransientNio2BlobStore())
			.endpoint(URI.create("http://127.0.0.1:0"))
			.awsAuthentication(AuthenticationType.AWS_V4, ACCESS_KEY, SECRET_KEY)
			.build();
		s3.start();
		while (!"STARTED".equals(s3.getState())) {
			Thread.sleep(10);
		}
		try (S3Client client = client()) {
			client.createBucket((b) -> b.bucket("uploads"));
		}
		// the gateway finds these through the AWS default credentials chain
		System.setProperty("aws.accessKeyId", ACCESS_KEY);
		System.setProperty("aws.secretAccessKey", SECRET_KEY);
		RunningWorker shared = TestWorkers.shared();
		Path model = shared.adapters().resolveSibling(shared.baseModel());
		Path noAdapters = Files.createTempDirectory("quiver-s3-worker-adapters");
		worker = TestWorkers.start(model, noAdapters,
				Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY),
				"--quiver.worker.sources.s3.endpoint=" + endpoint(), "--quiver.worker.sources.s3.region=us-east-1",
				"--quiver.worker.sources.s3.path-style=true");
		registry.add("quiver.routing.workers", worker::url);
		registry.add("quiver.adapters.store-uri", () -> "s3://uploads/tenant-adapters/");
		registry.add("quiver.adapters.s3.endpoint", S3AdapterStoreTests::endpoint);
		registry.add("quiver.adapters.s3.path-style", () -> "true");
		registry.add("quiver.adapters.max-upload-size", () -> "16MB");
	}

	@AfterAll
	static void stop() throws Exception {
		if (worker != null) {
			worker.close();
		}
		System.clearProperty("aws.accessKeyId");
		System.clearProperty("aws.secretAccessKey");
		s3.stop();
	}

	@Test
	void whenAnAdapterIsUploadedThenItLandsInTheBucketAndAWorkerServesItFromThere() throws Exception {
		TenantKey caller = TestCallers.tenantWithKey(this.tenants, this.keys, "adapters:write", "inference");
		try (S3Client client = client()) {
			TestAdapterStores.uploadedAdapterServesFromTheBucket(this.port, caller, worker,
					"s3://uploads/tenant-adapters",
					(key) -> client.getObjectAsBytes((b) -> b.bucket("uploads").key(key)).asByteArray());
		}
	}

	@Test
	void whenARegistrationPointsIntoTheUploadBucketThenItIsRefused() {
		TestAdapterStores.registrationIntoTheBucketIsRefused(this.port,
				TestCallers.tenantWithKey(this.tenants, this.keys, "adapters:write"),
				"s3://uploads/tenant-adapters/another-tenant/bot/v1");
	}

	private static String endpoint() {
		return "http://127.0.0.1:" + s3.getPort();
	}

	private static S3Client client() {
		return S3Client.builder()
			.endpointOverride(URI.create(endpoint()))
			.region(Region.US_EAST_1)
			.forcePathStyle(true)
			.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
			.httpClient(UrlConnectionHttpClient.create())
			.build();
	}

}
