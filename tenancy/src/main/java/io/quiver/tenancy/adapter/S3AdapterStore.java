package io.quiver.tenancy.adapter;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Publishes adapters to an S3 bucket (or an S3-compatible store) that workers read with
 * their own credentials. Credentials come from the AWS default chain (IRSA or EKS Pod
 * Identity in production).
 */
class S3AdapterStore extends BucketAdapterStore implements AutoCloseable {

	private final S3Client client;

	/**
	 * @param location {@code s3://bucket[/prefix]}
	 * @param s3 the client's settings
	 * @param staging the local folder uploads are staged in
	 */
	S3AdapterStore(URI location, AdapterProperties.S3 s3, Path staging) {
		super(location, staging);
		S3ClientBuilder builder = S3Client.builder()
			.httpClientBuilder(UrlConnectionHttpClient.builder()
				.connectionTimeout(Duration.ofSeconds(10))
				.socketTimeout(Duration.ofSeconds(60)))
			.credentialsProvider(DefaultCredentialsProvider.builder().build())
			.forcePathStyle(s3.pathStyle());
		if (s3.endpoint() != null) {
			builder.endpointOverride(s3.endpoint());
		}
		if (s3.region() != null && !s3.region().isBlank()) {
			builder.region(Region.of(s3.region()));
		}
		else if (s3.endpoint() != null) {
			// S3-compatible stores ignore the region, but SigV4 signs one.
			builder.region(Region.US_EAST_1);
		}
		this.client = builder.build();
	}

	@Override
	void writeFile(String object, Path file) throws IOException {
		put(object, "application/octet-stream", RequestBody.fromFile(file));
	}

	@Override
	void writeJson(String object, byte[] json) throws IOException {
		put(object, "application/json", RequestBody.fromBytes(json));
	}

	private void put(String object, String contentType, RequestBody body) throws IOException {
		try {
			this.client.putObject((b) -> b.bucket(bucket()).key(object).contentType(contentType), body);
		}
		catch (S3Exception ex) {
			String code = (ex.awsErrorDetails() != null) ? ex.awsErrorDetails().errorCode() : null;
			throw new IOException(uriOf(object) + " could not be written: S3 answered " + ex.statusCode()
					+ ((code != null) ? " " + code : ""), ex);
		}
		catch (SdkException ex) {
			throw new IOException(uriOf(object) + " could not be written: " + ex.getMessage(), ex);
		}
	}

	@Override
	public void close() {
		this.client.close();
	}

}
