package io.quiver.tenancy.adapter;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps adapters in a Cloud Storage bucket that workers read with their own service
 * account: {@code gs://bucket/prefix/{tenant}/{name}/{version}/} holds
 * {@code adapter_config.json} and {@code adapter_model.safetensors}, written through the
 * JSON API with the gateway's service account token from the metadata server (GKE
 * Workload Identity). Uploads are staged and checked on local disk first.
 */
class GcsAdapterStore implements AdapterStore {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final String bucket;

	private final String prefix;

	private final Path staging;

	private final URI endpoint;

	private final URI tokenUri;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	private String token;

	private Instant refreshAt = Instant.MIN;

	/**
	 * @param location {@code gs://bucket[/prefix]}
	 * @param gcs the endpoints
	 * @param staging the local folder uploads are staged in
	 */
	GcsAdapterStore(URI location, AdapterProperties.Gcs gcs, Path staging) {
		this.bucket = location.getRawAuthority();
		if (this.bucket == null || this.bucket.isEmpty() || this.bucket.contains("@")) {
			throw new IllegalArgumentException(
					"quiver.adapters.store-uri must name a bucket as gs://bucket/prefix, not " + location);
		}
		String path = (location.getPath() != null) ? location.getPath().replaceAll("^/+|/+$", "") : "";
		this.prefix = path.isEmpty() ? "" : path + "/";
		this.staging = staging;
		this.endpoint = URI.create(gcs.endpoint().toString().replaceAll("/+$", ""));
		this.tokenUri = URI.create(gcs.metadataServer().toString().replaceAll("/+$", "")
				+ "/computeMetadata/v1/instance/service-accounts/default/token");
	}

	@Override
	public Staged stage(InputStream weights, long maxBytes) throws IOException {
		return UploadStaging.stage(this.staging, weights, maxBytes);
	}

	@Override
	public String publish(Staged staged, byte[] config, String tenant, String name, String version) throws IOException {
		String directory = this.prefix + tenant + "/" + name + "/" + version;
		// the weights first: a directory with a config is one a worker may try to read
		put(directory + "/adapter_model.safetensors", "application/octet-stream",
				HttpRequest.BodyPublishers.ofFile(staged.weights()));
		put(directory + "/adapter_config.json", "application/json", HttpRequest.BodyPublishers.ofByteArray(config));
		return "gs://" + this.bucket + "/" + directory;
	}

	private void put(String object, String contentType, HttpRequest.BodyPublisher body) throws IOException {
		URI uri = URI.create(this.endpoint + "/upload/storage/v1/b/" + encode(this.bucket) + "/o?uploadType=media&name="
				+ encode(object));
		HttpResponse<String> response = send(HttpRequest.newBuilder(uri)
			.header("Authorization", "Bearer " + token())
			.header("Content-Type", contentType)
			.timeout(TIMEOUT)
			.POST(body)
			.build());
		if (response.statusCode() != 200) {
			throw new IOException(
					"gs://" + this.bucket + "/" + object + " could not be written: Cloud Storage answered "
							+ response.statusCode() + ((response.statusCode() == 403)
									? " (the gateway's service account needs roles/storage.objectCreator)" : ""));
		}
	}

	private synchronized String token() throws IOException {
		if (this.token != null && Instant.now().isBefore(this.refreshAt)) {
			return this.token;
		}
		HttpResponse<String> response = send(
				HttpRequest.newBuilder(this.tokenUri).header("Metadata-Flavor", "Google").timeout(TIMEOUT).build());
		String accessToken = (response.statusCode() == 200)
				? JSON.readTree(response.body()).path("access_token").asString("") : "";
		if (accessToken.isEmpty()) {
			throw new IOException("the Google metadata server answered " + response.statusCode()
					+ " without an access token for the gateway's service account");
		}
		JsonNode body = JSON.readTree(response.body());
		this.token = accessToken;
		this.refreshAt = Instant.now().plusSeconds(Math.max(0, body.path("expires_in").asLong(0) - 60));
		return this.token;
	}

	private HttpResponse<String> send(HttpRequest request) throws IOException {
		try {
			return this.http.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted", ex);
		}
	}

	@Override
	public boolean owns(URI source) {
		return "gs".equalsIgnoreCase(source.getScheme()) && this.bucket.equalsIgnoreCase(source.getRawAuthority());
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
	}

}
