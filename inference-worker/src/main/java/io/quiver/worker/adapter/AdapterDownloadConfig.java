package io.quiver.worker.adapter;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How adapters from remote sources are downloaded.
 *
 * @param cacheDir the folder downloads are kept in, one sub-folder per adapter id and
 * digest
 * @param cacheMaxBytes the bytes of downloads kept at most; the least recently used are
 * deleted beyond it (a deleted adapter still held in memory is downloaded again only when
 * it is loaded again)
 * @param connectTimeout how long to wait for a connection
 * @param readTimeout how long a read may wait for the next bytes
 * @param maxBytes the largest file accepted
 * @param allowHttp whether plain {@code http://} sources are accepted (tests and
 * development only)
 * @param allowPrivateAddresses whether {@code https://} and {@code http://} sources, and
 * their redirects, may lead to loopback, link-local or private addresses (an internal
 * mirror; tests); the hub endpoint's own origin is allowed either way
 * @param s3Region the S3 region, or null for the AWS default region chain
 * @param s3Endpoint an S3-compatible endpoint to use instead of AWS's, or null
 * @param s3PathStyle address buckets as {@code endpoint/bucket} rather than
 * {@code bucket.endpoint}
 * @param hubEndpoint the Hugging Face hub {@code hf://} sources resolve against
 * @param hubToken a Hugging Face access token sent to the hub as a bearer token, or null
 * @param gcsEndpoint Cloud Storage's endpoint {@code gs://} sources are read from
 * @param gcpMetadataServer the Google metadata server the service account's token comes
 * from
 * @param azure how {@code az://} sources are read
 */
public record AdapterDownloadConfig(Path cacheDir, long cacheMaxBytes, Duration connectTimeout, Duration readTimeout,
		long maxBytes, boolean allowHttp, boolean allowPrivateAddresses, String s3Region, URI s3Endpoint,
		boolean s3PathStyle, URI hubEndpoint, String hubToken, URI gcsEndpoint, URI gcpMetadataServer, Azure azure) {

	/** The Hugging Face hub. */
	public static final URI HUGGING_FACE = URI.create("https://huggingface.co");

	/** Cloud Storage. */
	public static final URI GCS = URI.create("https://storage.googleapis.com");

	/** The Google metadata server. */
	public static final URI GCP_METADATA = URI.create("http://metadata.google.internal");

	public AdapterDownloadConfig {
		if (hubEndpoint == null) {
			hubEndpoint = HUGGING_FACE;
		}
		if (gcsEndpoint == null) {
			gcsEndpoint = GCS;
		}
		if (gcpMetadataServer == null) {
			gcpMetadataServer = GCP_METADATA;
		}
		if (azure == null) {
			azure = Azure.fromEnvironment();
		}
		if (hubToken != null && hubToken.isBlank()) {
			hubToken = null;
		}
		if (s3Region != null && s3Region.isBlank()) {
			s3Region = null;
		}
	}

	/**
	 * Defaults: a cache of 10 GiB under the temporary folder, 10 s to connect, 60 s per
	 * read, 4 GiB per file, https to public addresses only, AWS's S3 and the Hugging Face
	 * hub without a token.
	 * @return the defaults
	 */
	public static AdapterDownloadConfig defaults() {
		return new AdapterDownloadConfig(Path.of(System.getProperty("java.io.tmpdir"), "quiver-adapter-cache"),
				10L << 30, Duration.ofSeconds(10), Duration.ofSeconds(60), 4L << 30, false, false, null, null, false,
				HUGGING_FACE, null, GCS, GCP_METADATA, null);
	}

	@Override
	public String toString() {
		return "AdapterDownloadConfig[cacheDir=" + this.cacheDir + ", cacheMaxBytes=" + this.cacheMaxBytes
				+ ", connectTimeout=" + this.connectTimeout + ", readTimeout=" + this.readTimeout + ", maxBytes="
				+ this.maxBytes + ", allowHttp=" + this.allowHttp + ", allowPrivateAddresses="
				+ this.allowPrivateAddresses + ", s3Region=" + this.s3Region + ", s3Endpoint=" + this.s3Endpoint
				+ ", s3PathStyle=" + this.s3PathStyle + ", hubEndpoint=" + this.hubEndpoint + ", hubToken="
				+ ((this.hubToken != null) ? "(set)" : "(none)") + ", gcsEndpoint=" + this.gcsEndpoint
				+ ", gcpMetadataServer=" + this.gcpMetadataServer + ", azure=" + this.azure + "]";
	}

	/**
	 * Azure Blob Storage and the workload identity that reads it.
	 *
	 * @param blobEndpoint the Blob service, {@code {account}} standing for the storage
	 * account
	 * @param authorityHost Microsoft Entra ID's token service
	 * @param tenantId the Entra tenant, or null where workload identity is not set up
	 * @param clientId the managed identity's client id, or null
	 * @param federatedTokenFile the projected service account token, or null
	 */
	public record Azure(String blobEndpoint, URI authorityHost, String tenantId, String clientId,
			String federatedTokenFile) {

		/** Azure's public cloud Blob service. */
		public static final String BLOB = "https://{account}.blob.core.windows.net";

		/** Microsoft Entra ID in Azure's public cloud. */
		public static final URI AUTHORITY = URI.create("https://login.microsoftonline.com/");

		public Azure {
			if (blobEndpoint == null || blobEndpoint.isBlank()) {
				blobEndpoint = BLOB;
			}
			if (authorityHost == null) {
				authorityHost = AUTHORITY;
			}
		}

		/**
		 * @return the settings the AKS workload identity webhook puts in the environment
		 */
		public static Azure fromEnvironment() {
			String authority = System.getenv("AZURE_AUTHORITY_HOST");
			return new Azure(null, (authority != null && !authority.isBlank()) ? URI.create(authority) : null,
					System.getenv("AZURE_TENANT_ID"), System.getenv("AZURE_CLIENT_ID"),
					System.getenv("AZURE_FEDERATED_TOKEN_FILE"));
		}

		/**
		 * @return the Blob service's origin, where it names no account, for trust checks
		 */
		URI origin() {
			String authority = this.blobEndpoint.substring(this.blobEndpoint.indexOf("://") + 3).split("/")[0];
			return authority.contains("{account}") ? null
					: URI.create(this.blobEndpoint.replace("{account}", "account"));
		}

	}

}
