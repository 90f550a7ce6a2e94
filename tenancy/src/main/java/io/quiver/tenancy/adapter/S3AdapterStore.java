package io.quiver.tenancy.adapter;

import java.io.IOException;
import java.io.InputStream;
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
 * Keeps adapters in an S3 bucket (or an S3-compatible store) that workers read with their
 * own credentials: {@code s3://bucket/prefix/{tenant}/{name}/{version}/} holds
 * {@code adapter_config.json} and {@code adapter_model.safetensors}. Uploads are staged
 * on local disk first, where they are checked, and only then written to the bucket.
 * Credentials come from the AWS default chain (IRSA or EKS Pod Identity in production).
 */
class S3AdapterStore implements AdapterStore, AutoCloseable {

	private final String bucket;

	private final String prefix;

	private final Path staging;

	private final S3Client client;

	/**
	 * @param location {@code s3://bucket[/prefix]}
	 * @param s3 the client's settings
	 * @param staging the local folder uploads are staged in
	 */
	S3AdapterStore(URI location, AdapterProperties.S3 s3, Path staging) {
		BucketLocation bucket = BucketLocation.of(location);
		this.bucket = bucket.bucket();
		this.prefix = bucket.prefix();
		this.staging = staging;
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
	public Staged stage(InputStream weights, long maxBytes) throws IOException {
		return UploadStaging.stage(this.staging, weights, maxBytes);
	}

	@Override
	public String publish(Staged staged, byte[] config, String tenant, String name, String version) throws IOException {
		String directory = this.prefix + tenant + "/" + name + "/" + version;
		try {
			// the weights first: a directory with a config is one a worker may try to
			// read
			this.client.putObject((b) -> b.bucket(this.bucket).key(directory + "/adapter_model.safetensors"),
					RequestBody.fromFile(staged.weights()));
			this.client.putObject((
					b) -> b.bucket(this.bucket).key(directory + "/adapter_config.json").contentType("application/json"),
					RequestBody.fromBytes(config));
		}
		catch (S3Exception ex) {
			String code = (ex.awsErrorDetails() != null) ? ex.awsErrorDetails().errorCode() : null;
			throw new IOException("s3://" + this.bucket + "/" + directory + " could not be written: S3 answered "
					+ ex.statusCode() + ((code != null) ? " " + code : ""), ex);
		}
		catch (SdkException ex) {
			throw new IOException("s3://" + this.bucket + "/" + directory + " could not be written: " + ex.getMessage(),
					ex);
		}
		return "s3://" + this.bucket + "/" + directory;
	}

	@Override
	public boolean owns(URI source) {
		return "s3".equalsIgnoreCase(source.getScheme()) && this.bucket.equalsIgnoreCase(source.getRawAuthority());
	}

	@Override
	public void close() {
		this.client.close();
	}

}
