package io.quiver.worker.api;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import io.quiver.worker.adapter.AdapterDownloadConfig;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * How adapters named by a remote {@code Quiver-Adapter-Source} ({@code https://},
 * {@code s3://}, {@code hf://}) are downloaded.
 *
 * @param cacheDir the folder downloads are kept in; defaults to
 * {@code quiver-adapter-cache} under the temporary folder
 * @param cacheMaxSize the downloads kept at most; the least recently used go first
 * @param connectTimeout how long to wait for a connection
 * @param readTimeout how long a read may wait for the next bytes
 * @param maxSize the largest adapter file accepted
 * @param allowHttp accept plain {@code http://} sources (tests and development only)
 * @param allowPrivateAddresses let {@code https://} sources and their redirects lead to
 * loopback, link-local or private addresses (an internal mirror; tests)
 * @param s3 the S3 client's settings
 * @param hf the Hugging Face hub's settings
 * @param gcs Cloud Storage's settings
 * @param azure Azure Blob Storage's settings
 */
@ConfigurationProperties("quiver.worker.sources")
@Validated
record AdapterSourcesProperties(Path cacheDir, @DefaultValue("10GB") DataSize cacheMaxSize,
		@DefaultValue("10s") Duration connectTimeout, @DefaultValue("60s") Duration readTimeout,
		@DefaultValue("4GB") DataSize maxSize, @DefaultValue("false") boolean allowHttp,
		@DefaultValue("false") boolean allowPrivateAddresses, @DefaultValue S3 s3, @DefaultValue Hf hf,
		@DefaultValue Gcs gcs, @DefaultValue Azure azure) {

	/**
	 * S3 settings; credentials always come from the AWS default chain.
	 *
	 * @param region the region, or unset for the AWS default region chain
	 * ({@code AWS_REGION}, profile, instance metadata)
	 * @param endpoint an S3-compatible endpoint instead of AWS's (MinIO, Ceph, R2, …)
	 * @param pathStyle address buckets as {@code endpoint/bucket}, as most S3-compatible
	 * stores need
	 */
	record S3(String region, URI endpoint, @DefaultValue("false") boolean pathStyle) {
	}

	/**
	 * Hugging Face hub settings.
	 *
	 * @param endpoint the hub (a mirror or an enterprise hub)
	 * @param token an access token for private or gated repositories; defaults to the
	 * {@code HF_TOKEN} environment variable
	 */
	record Hf(@DefaultValue("https://huggingface.co") URI endpoint, String token) {

		@Override
		public String toString() {
			return "Hf[endpoint=" + this.endpoint + ", token=" + ((this.token != null) ? "(set)" : "(none)") + "]";
		}

	}

	/**
	 * Cloud Storage settings; the token always comes from the metadata server (GKE
	 * Workload Identity).
	 *
	 * @param endpoint Cloud Storage's JSON API endpoint
	 * @param metadataServer the Google metadata server
	 */
	record Gcs(@DefaultValue("https://storage.googleapis.com") URI endpoint,
			@DefaultValue("http://metadata.google.internal") URI metadataServer) {
	}

	/**
	 * Azure Blob Storage settings; unset values come from the variables the AKS workload
	 * identity webhook sets ({@code AZURE_AUTHORITY_HOST}, {@code AZURE_TENANT_ID},
	 * {@code AZURE_CLIENT_ID}, {@code AZURE_FEDERATED_TOKEN_FILE}).
	 *
	 * @param blobEndpoint the Blob service, {@code {account}} standing for the account
	 * @param authorityHost Microsoft Entra ID's token service
	 * @param tenantId the Entra tenant
	 * @param clientId the managed identity's client id
	 * @param federatedTokenFile the projected service account token
	 */
	record Azure(@DefaultValue("https://{account}.blob.core.windows.net") String blobEndpoint, URI authorityHost,
			String tenantId, String clientId, String federatedTokenFile) {

		AdapterDownloadConfig.Azure toConfig() {
			AdapterDownloadConfig.Azure environment = AdapterDownloadConfig.Azure.fromEnvironment();
			return new AdapterDownloadConfig.Azure(this.blobEndpoint,
					(this.authorityHost != null) ? this.authorityHost : environment.authorityHost(),
					(this.tenantId != null) ? this.tenantId : environment.tenantId(),
					(this.clientId != null) ? this.clientId : environment.clientId(),
					(this.federatedTokenFile != null) ? this.federatedTokenFile : environment.federatedTokenFile());
		}

	}

	/**
	 * The engine's download settings.
	 * @param environmentToken the {@code HF_TOKEN} environment variable, used when no
	 * token is configured
	 * @return the settings
	 */
	AdapterDownloadConfig toConfig(String environmentToken) {
		Path cache = (this.cacheDir != null) ? this.cacheDir : AdapterDownloadConfig.defaults().cacheDir();
		String token = (this.hf.token() != null && !this.hf.token().isBlank()) ? this.hf.token() : environmentToken;
		return new AdapterDownloadConfig(cache, this.cacheMaxSize.toBytes(), this.connectTimeout, this.readTimeout,
				this.maxSize.toBytes(), this.allowHttp, this.allowPrivateAddresses, this.s3.region(),
				this.s3.endpoint(), this.s3.pathStyle(), this.hf.endpoint(), token, this.gcs.endpoint(),
				this.gcs.metadataServer(), this.azure.toConfig());
	}

}
