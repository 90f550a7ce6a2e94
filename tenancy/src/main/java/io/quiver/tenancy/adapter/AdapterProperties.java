package io.quiver.tenancy.adapter;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Where uploaded adapters go and what they are checked against.
 *
 * @param storeUri where uploads are published: {@code s3://bucket/prefix},
 * {@code gs://bucket/prefix} or {@code az://account/container/prefix} for a bucket the
 * workers read, or a {@code file:} URI of a directory they can read; unset, the directory
 * {@code storeDirectory}
 * @param storeDirectory where uploaded PEFT directories are kept when {@code storeUri} is
 * unset (a worker must be able to read the {@code file:} URIs under it); {@code adapters}
 * under {@code quiver.home} when unset; with a bucket store, where uploads are staged
 * @param s3 the S3 client's settings for an {@code s3} store
 * @param gcs Cloud Storage's endpoints for a {@code gs} store
 * @param azure Blob Storage's endpoint and the workload identity for an {@code az} store
 * @param maxUploadSize the largest {@code adapter_model.safetensors} accepted
 * @param baseModels known base models' dimensions, by model id; an adapter for one of
 * them must have matching shapes
 * @param httpsSourceHosts the hosts an adapter registered by {@code https://} URI may be
 * on ({@code models.example.com}, or {@code *.example.com} for its subdomains); none by
 * default, so that tenants cannot point workers at hosts inside the network
 * @param bucketSources the locations an adapter registered by {@code s3://},
 * {@code gs://}, {@code az://} or {@code hf://} URI may be under, as URI prefixes
 * ({@code s3://tenant-adapters/{tenant}/}, {@code hf://acme/}), {@code {tenant}} standing
 * for the registering tenant's slug; none by default, because workers read these with the
 * platform's own identity and hub token, so that a tenant could otherwise serve anything
 * those can read
 */
@ConfigurationProperties("quiver.adapters")
record AdapterProperties(URI storeUri, Path storeDirectory, @DefaultValue S3 s3, @DefaultValue Gcs gcs,
		@DefaultValue Azure azure, @DefaultValue("512MB") DataSize maxUploadSize,
		Map<String, BaseModelShape> baseModels, List<String> httpsSourceHosts, List<String> bucketSources) {

	AdapterProperties {
		baseModels = (baseModels != null) ? Map.copyOf(baseModels) : Map.of();
		// A blank entry (a trailing comma) or a bare "*." would match hosts nobody meant.
		httpsSourceHosts = (httpsSourceHosts != null) ? httpsSourceHosts.stream()
			.map((host) -> host.trim().toLowerCase(Locale.ROOT))
			.filter((host) -> !host.isEmpty() && !host.equals("*."))
			.toList() : List.of();
		bucketSources = (bucketSources != null)
				? bucketSources.stream().map(String::trim).filter((prefix) -> !prefix.isEmpty()).map((prefix) -> {
					requireBucketPrefix(prefix);
					return prefix.endsWith("/") ? prefix : prefix + "/";
				}).toList() : List.of();
	}

	/** The schemes whose sources workers read with the platform's identity. */
	static final List<String> BUCKET_SCHEMES = List.of("s3", "gs", "az", "hf");

	private static void requireBucketPrefix(String prefix) {
		int colon = prefix.indexOf("://");
		String scheme = (colon > 0) ? prefix.substring(0, colon) : "";
		String rest = (colon > 0) ? prefix.substring(colon + 3) : "";
		int slash = rest.indexOf('/');
		String authority = (slash >= 0) ? rest.substring(0, slash) : rest;
		if (!BUCKET_SCHEMES.contains(scheme) || authority.isEmpty() || authority.contains("{tenant}")
				|| hasDotSegmentOrEscape(rest)) {
			throw new IllegalArgumentException("quiver.adapters.bucket-sources: '" + prefix + "' must be an s3://, "
					+ "gs://, az:// or hf:// URI prefix that names its bucket, account or organisation, such as "
					+ "s3://tenant-adapters/{tenant}/");
		}
	}

	/**
	 * @param uri an {@code s3}, {@code gs}, {@code az} or {@code hf} URI
	 * @param tenant the registering tenant's slug
	 * @return whether it lies under one of {@link #bucketSources()}, {@code {tenant}}
	 * read as the tenant's slug; never when its path has a {@code .} or {@code ..}
	 * segment, or an escape that could hide one
	 */
	boolean allowsBucketSource(URI uri, String tenant) {
		String raw = uri.getRawSchemeSpecificPart();
		if (uri.getRawQuery() != null || uri.getRawFragment() != null || raw == null || !raw.startsWith("//")
				|| hasDotSegmentOrEscape(raw.substring(2))) {
			return false;
		}
		String source = uri.getScheme() + ":" + raw + "/";
		for (String prefix : this.bucketSources) {
			if (source.startsWith(prefix.replace("{tenant}", tenant))) {
				return true;
			}
		}
		return false;
	}

	private static boolean hasDotSegmentOrEscape(String path) {
		if (path.contains("%") || path.contains("\\")) {
			return true;
		}
		for (String segment : path.split("/", -1)) {
			if (segment.equals(".") || segment.equals("..")) {
				return true;
			}
		}
		return false;
	}

	/**
	 * @param uri an {@code https} URI
	 * @return whether its host is one of {@link #httpsSourceHosts()}
	 */
	boolean allowsHttpsHost(URI uri) {
		String host = uri.getHost();
		if (host == null) {
			return false;
		}
		host = host.toLowerCase(Locale.ROOT);
		for (String allowed : this.httpsSourceHosts) {
			if (allowed.startsWith("*.") ? host.endsWith(allowed.substring(1)) : host.equals(allowed)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * S3 settings for an {@code s3://} store; credentials always come from the AWS
	 * default chain.
	 *
	 * @param region the region, or unset for the AWS default region chain
	 * @param endpoint an S3-compatible endpoint instead of AWS's (MinIO, Ceph, …)
	 * @param pathStyle address buckets as {@code endpoint/bucket}
	 */
	record S3(String region, URI endpoint, @DefaultValue("false") boolean pathStyle) {
	}

	/**
	 * Cloud Storage settings for a {@code gs://} store; the token always comes from the
	 * metadata server.
	 *
	 * @param endpoint Cloud Storage's JSON API endpoint
	 * @param metadataServer the Google metadata server
	 */
	record Gcs(@DefaultValue("https://storage.googleapis.com") URI endpoint,
			@DefaultValue("http://metadata.google.internal") URI metadataServer) {
	}

	/**
	 * Azure Blob Storage settings for an {@code az://} store; unset identity values come
	 * from the variables the AKS workload identity webhook sets.
	 *
	 * @param blobEndpoint the Blob service, {@code {account}} standing for the account
	 * @param authorityHost Microsoft Entra ID's token service
	 * ({@code AZURE_AUTHORITY_HOST})
	 * @param tenantId the Entra tenant ({@code AZURE_TENANT_ID})
	 * @param clientId the managed identity's client id ({@code AZURE_CLIENT_ID})
	 * @param federatedTokenFile the projected service account token
	 * ({@code AZURE_FEDERATED_TOKEN_FILE})
	 */
	record Azure(@DefaultValue("https://{account}.blob.core.windows.net") String blobEndpoint, URI authorityHost,
			String tenantId, String clientId, String federatedTokenFile) {
	}

	/**
	 * @param hiddenSize {@code hidden_size} in the base model's config.json
	 * @param intermediateSize {@code intermediate_size}, or 0 when unknown
	 */
	record BaseModelShape(int hiddenSize, int intermediateSize) {
	}

}
