package io.quiver.tenancy.adapter;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Keeps adapters in a Cloud Storage bucket that workers read with their own service
 * account: {@code gs://bucket/prefix/{tenant}/{name}/{version}/} holds
 * {@code adapter_config.json} and {@code adapter_model.safetensors}, written through the
 * JSON API with the gateway's service account token from the metadata server (GKE
 * Workload Identity). Uploads are staged and checked on local disk first.
 */
class GcsAdapterStore implements AdapterStore {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final String bucket;

	private final String prefix;

	private final Path staging;

	private final URI endpoint;

	private final TokenClient http;

	/**
	 * @param location {@code gs://bucket[/prefix]}
	 * @param gcs the endpoints
	 * @param staging the local folder uploads are staged in
	 */
	GcsAdapterStore(URI location, AdapterProperties.Gcs gcs, Path staging) {
		BucketLocation bucket = BucketLocation.of(location);
		this.bucket = bucket.bucket();
		this.prefix = bucket.prefix();
		this.staging = staging;
		this.endpoint = URI.create(gcs.endpoint().toString().replaceAll("/+$", ""));
		URI tokenUri = URI.create(gcs.metadataServer().toString().replaceAll("/+$", "")
				+ "/computeMetadata/v1/instance/service-accounts/default/token");
		this.http = new TokenClient("the Google metadata server",
				() -> HttpRequest.newBuilder(tokenUri).header("Metadata-Flavor", "Google").timeout(TIMEOUT).build());
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
		HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(uri)
			.header("Authorization", "Bearer " + this.http.token())
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

	@Override
	public boolean owns(URI source) {
		return "gs".equalsIgnoreCase(source.getScheme()) && this.bucket.equalsIgnoreCase(source.getRawAuthority());
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
	}

}
