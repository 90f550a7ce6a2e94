package io.quiver.worker.adapter;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Downloads {@code s3://bucket/prefix} sources ({@code prefix/adapter_config.json} and
 * {@code prefix/adapter_model.safetensors}) with the AWS SDK over the JDK's HTTP client,
 * credentials from the default chain (IRSA web identity or instance profile in
 * production, {@code AWS_ACCESS_KEY_ID} and friends elsewhere). The client is built on
 * first use, so a worker that never sees an {@code s3://} source never looks for
 * credentials.
 */
final class S3AdapterDownloader implements AdapterDownloader {

	private final AdapterDownloadConfig config;

	private S3Client client;

	S3AdapterDownloader(AdapterDownloadConfig config) {
		this.config = config;
	}

	@Override
	public String download(URI source, String file, Path target) {
		String bucket = source.getRawAuthority();
		if (bucket == null || bucket.isEmpty() || bucket.contains("@")) {
			throw new AdapterException("s3:// sources name a bucket and a prefix as s3://bucket/prefix, not "
					+ AdapterSource.redact(source));
		}
		String prefix = (source.getPath() != null) ? source.getPath().replaceAll("^/+|/+$", "") : "";
		String key = prefix.isEmpty() ? file : prefix + "/" + file;
		String what = "s3://" + bucket + "/" + key;
		try (ResponseInputStream<GetObjectResponse> in = client().getObject((b) -> b.bucket(bucket).key(key))) {
			Long length = in.response().contentLength();
			if (length != null && length > this.config.maxBytes()) {
				in.abort();
				throw AdapterDownloader.tooLarge(what, this.config.maxBytes());
			}
			return AdapterDownloader.copy(in, target, this.config.maxBytes(), what);
		}
		catch (NoSuchKeyException ex) {
			throw new AdapterException(what + " does not exist (404 NoSuchKey)", ex);
		}
		catch (NoSuchBucketException ex) {
			throw new AdapterException("the bucket of " + what + " does not exist (404 NoSuchBucket)", ex);
		}
		catch (S3Exception ex) {
			String code = (ex.awsErrorDetails() != null) ? ex.awsErrorDetails().errorCode() : null;
			throw new AdapterException(
					what + " could not be read: S3 answered " + ex.statusCode() + ((code != null) ? " " + code : ""),
					ex);
		}
		catch (SdkClientException ex) {
			throw new AdapterException(what + " could not be downloaded: " + ex.getMessage(), ex);
		}
		catch (SdkException ex) {
			throw new AdapterException(what + " could not be downloaded: " + ex.getClass().getSimpleName(), ex);
		}
		catch (IOException ex) {
			throw new AdapterException(what + " could not be downloaded: " + ex.getClass().getSimpleName(), ex);
		}
	}

	private synchronized S3Client client() {
		if (this.client == null) {
			S3ClientBuilder builder = S3Client.builder()
				.httpClientBuilder(UrlConnectionHttpClient.builder()
					.connectionTimeout(this.config.connectTimeout())
					.socketTimeout(this.config.readTimeout()))
				.credentialsProvider(DefaultCredentialsProvider.builder().build())
				.overrideConfiguration((o) -> o.retryStrategy((r) -> r.maxAttempts(2)))
				.forcePathStyle(this.config.s3PathStyle());
			if (this.config.s3Endpoint() != null) {
				builder.endpointOverride(this.config.s3Endpoint());
			}
			if (this.config.s3Region() != null) {
				builder.region(Region.of(this.config.s3Region()));
			}
			else if (this.config.s3Endpoint() != null) {
				// S3-compatible stores ignore the region, but SigV4 signs one.
				builder.region(Region.US_EAST_1);
			}
			try {
				this.client = builder.build();
			}
			catch (SdkClientException ex) {
				throw new AdapterException("s3:// sources need a region: set quiver.worker.sources.s3.region or "
						+ "AWS_REGION (" + ex.getMessage() + ")", ex);
			}
		}
		return this.client;
	}

	@Override
	public synchronized void close() {
		if (this.client != null) {
			this.client.close();
			this.client = null;
		}
	}

}
