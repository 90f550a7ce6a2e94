package io.quiver.tenancy.adapter;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Publishes adapters to an Azure Blob Storage container that workers read with their own
 * managed identity, each file one block blob written with the Entra token the gateway's
 * AKS workload identity exchanges. The location's "bucket" is the storage account and its
 * object names start with the container.
 */
class AzureBlobAdapterStore extends BucketAdapterStore {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static final String API_VERSION = "2023-11-03";

	private final AdapterProperties.Azure azure;

	private final TokenClient http = new TokenClient("Microsoft Entra ID", this::tokenRequest);

	/**
	 * @param location {@code az://account/container[/prefix]}
	 * @param azure the endpoints and the workload identity
	 * @param staging the local folder uploads are staged in
	 */
	AzureBlobAdapterStore(URI location, AdapterProperties.Azure azure, Path staging) {
		super(location, staging);
		String path = (location.getPath() != null) ? location.getPath().replaceAll("^/+|/+$", "") : "";
		if (!bucket().matches("[a-z0-9]{3,24}") || path.isEmpty()) {
			throw new IllegalArgumentException("quiver.adapters.store-uri must name a storage account and a "
					+ "container as az://account/container/prefix, not " + location);
		}
		this.azure = azure;
	}

	@Override
	void writeFile(String object, Path file) throws IOException {
		put(object, "application/octet-stream", HttpRequest.BodyPublishers.ofFile(file));
	}

	@Override
	void writeJson(String object, byte[] json) throws IOException {
		put(object, "application/json", HttpRequest.BodyPublishers.ofByteArray(json));
	}

	/**
	 * @param object {@code container/blob}
	 */
	private void put(String object, String contentType, HttpRequest.BodyPublisher body) throws IOException {
		StringBuilder url = new StringBuilder(
				this.azure.blobEndpoint().replace("{account}", bucket()).replaceAll("/+$", ""));
		for (String segment : object.split("/")) {
			url.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
		}
		HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(URI.create(url.toString()))
			.header("Authorization", "Bearer " + this.http.token())
			.header("x-ms-version", API_VERSION)
			.header("x-ms-blob-type", "BlockBlob")
			.header("Content-Type", contentType)
			.timeout(TIMEOUT)
			.PUT(body)
			.build());
		if (response.statusCode() != 201) {
			throw new IOException(uriOf(object) + " could not be written: Blob Storage answered "
					+ response.statusCode() + ((response.statusCode() == 403)
							? " (the gateway's identity needs Storage Blob Data Contributor on the container)" : ""));
		}
	}

	private HttpRequest tokenRequest() throws IOException {
		String tenantId = orEnvironment(this.azure.tenantId(), "AZURE_TENANT_ID");
		String clientId = orEnvironment(this.azure.clientId(), "AZURE_CLIENT_ID");
		String tokenFile = orEnvironment(this.azure.federatedTokenFile(), "AZURE_FEDERATED_TOKEN_FILE");
		String authority = orEnvironment(
				(this.azure.authorityHost() != null) ? this.azure.authorityHost().toString() : null,
				"AZURE_AUTHORITY_HOST");
		if (tenantId == null || clientId == null || tokenFile == null) {
			throw new IOException("an az:// adapter store needs AKS workload identity: AZURE_TENANT_ID, "
					+ "AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE are not all set");
		}
		String form = "grant_type=client_credentials&client_id=" + encode(clientId)
				+ "&scope=https%3A%2F%2Fstorage.azure.com%2F.default&client_assertion_type="
				+ encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") + "&client_assertion="
				+ encode(Files.readString(Path.of(tokenFile)).trim());
		URI uri = URI
			.create(((authority != null) ? authority : "https://login.microsoftonline.com/").replaceAll("/+$", "") + "/"
					+ encode(tenantId) + "/oauth2/v2.0/token");
		return HttpRequest.newBuilder(uri)
			.header("Content-Type", "application/x-www-form-urlencoded")
			.timeout(TIMEOUT)
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.build();
	}

	private static String orEnvironment(String value, String variable) {
		String chosen = (value != null && !value.isBlank()) ? value : System.getenv(variable);
		return (chosen != null && !chosen.isBlank()) ? chosen : null;
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

}
