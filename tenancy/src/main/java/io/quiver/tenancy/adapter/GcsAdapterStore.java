package io.quiver.tenancy.adapter;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Publishes adapters to a Cloud Storage bucket that workers read with their own service
 * account, through the JSON API's media upload with the gateway's service account token
 * from the metadata server (GKE Workload Identity).
 */
class GcsAdapterStore extends BucketAdapterStore {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final URI endpoint;

	private final TokenClient http;

	/**
	 * @param location {@code gs://bucket[/prefix]}
	 * @param gcs the endpoints
	 * @param staging the local folder uploads are staged in
	 */
	GcsAdapterStore(URI location, AdapterProperties.Gcs gcs, Path staging) {
		super(location, staging);
		this.endpoint = URI.create(gcs.endpoint().toString().replaceAll("/+$", ""));
		URI tokenUri = URI.create(gcs.metadataServer().toString().replaceAll("/+$", "")
				+ "/computeMetadata/v1/instance/service-accounts/default/token");
		this.http = new TokenClient("the Google metadata server",
				() -> HttpRequest.newBuilder(tokenUri).header("Metadata-Flavor", "Google").timeout(TIMEOUT).build());
	}

	@Override
	void writeFile(String object, Path file) throws IOException {
		put(object, "application/octet-stream", HttpRequest.BodyPublishers.ofFile(file));
	}

	@Override
	void writeJson(String object, byte[] json) throws IOException {
		put(object, "application/json", HttpRequest.BodyPublishers.ofByteArray(json));
	}

	private void put(String object, String contentType, HttpRequest.BodyPublisher body) throws IOException {
		URI uri = URI.create(this.endpoint + "/upload/storage/v1/b/" + encode(bucket()) + "/o?uploadType=media&name="
				+ encode(object));
		HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(uri)
			.header("Authorization", "Bearer " + this.http.token())
			.header("Content-Type", contentType)
			.timeout(TIMEOUT)
			.POST(body)
			.build());
		if (response.statusCode() != 200) {
			throw new IOException(uriOf(object) + " could not be written: Cloud Storage answered "
					+ response.statusCode() + ((response.statusCode() == 403)
							? " (the gateway's service account needs roles/storage.objectCreator)" : ""));
		}
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
	}

}
