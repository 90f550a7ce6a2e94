package io.quiver.worker.adapter;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Downloads {@code gs://bucket/prefix} sources ({@code prefix/adapter_config.json} and
 * {@code prefix/adapter_model.safetensors}) through Cloud Storage's JSON API, with the
 * workload's service account token from the metadata server. The token is fetched on
 * first use, so a worker that never sees a {@code gs://} source never asks for one.
 */
final class GcsAdapterDownloader implements AdapterDownloader {

	private final AdapterDownloadConfig config;

	private final HttpAdapterDownloader http;

	private final AccessTokens tokens;

	GcsAdapterDownloader(AdapterDownloadConfig config, HttpAdapterDownloader http) {
		this.config = config;
		this.http = http;
		URI tokenUri = URI.create(config.gcpMetadataServer().toString().replaceAll("/+$", "")
				+ "/computeMetadata/v1/instance/service-accounts/default/token");
		this.tokens = new AccessTokens("the Google metadata server", config.connectTimeout(),
				() -> HttpRequest.newBuilder(tokenUri)
					.header("Metadata-Flavor", "Google")
					.timeout(config.connectTimeout())
					.build());
	}

	@Override
	public String download(URI source, String file, Path target) {
		return this.http.get(objectUri(this.config.gcsEndpoint(), source, file), this.tokens.get(), target,
				"the worker's service account may not read it (it needs roles/storage.objectViewer on the bucket)");
	}

	/**
	 * The download URL of one file of a {@code gs://} adapter directory.
	 * @param endpoint Cloud Storage's endpoint
	 * @param source {@code gs://bucket/prefix}
	 * @param file the file
	 * @return {@code {endpoint}/storage/v1/b/{bucket}/o/{prefix/file}?alt=media}, the
	 * object name percent-encoded
	 */
	static URI objectUri(URI endpoint, URI source, String file) {
		String bucket = source.getRawAuthority();
		if (bucket == null || bucket.isEmpty() || bucket.contains("@")) {
			throw new AdapterException("gs:// sources name a bucket and a prefix as gs://bucket/prefix, not "
					+ AdapterSource.redact(source));
		}
		String prefix = (source.getPath() != null) ? source.getPath().replaceAll("^/+|/+$", "") : "";
		String object = prefix.isEmpty() ? file : prefix + "/" + file;
		return URI.create(endpoint.toString().replaceAll("/+$", "") + "/storage/v1/b/" + encode(bucket) + "/o/"
				+ encode(object) + "?alt=media");
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
	}

}
