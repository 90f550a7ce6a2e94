package io.quiver.tenancy.adapter;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Keeps adapters in an Azure Blob Storage container that workers read with their own
 * managed identity: {@code az://account/container/prefix/{tenant}/{name}/{version}/}
 * holds {@code adapter_config.json} and {@code adapter_model.safetensors}, each written
 * as one block blob with the gateway's workload identity token. Uploads are staged and
 * checked on local disk first.
 */
class AzureBlobAdapterStore implements AdapterStore {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static final String API_VERSION = "2023-11-03";

	private final String account;

	private final String container;

	private final String prefix;

	private final Path staging;

	private final AdapterProperties.Azure azure;

	private final TokenClient http = new TokenClient("Microsoft Entra ID", this::tokenRequest);

	/**
	 * @param location {@code az://account/container[/prefix]}
	 * @param azure the endpoints and the workload identity
	 * @param staging the local folder uploads are staged in
	 */
	AzureBlobAdapterStore(URI location, AdapterProperties.Azure azure, Path staging) {
		this.account = location.getRawAuthority();
		String path = (location.getPath() != null) ? location.getPath().replaceAll("^/+|/+$", "") : "";
		int slash = path.indexOf('/');
		this.container = (slash < 0) ? path : path.substring(0, slash);
		if (this.account == null || !this.account.matches("[a-z0-9]{3,24}") || this.container.isEmpty()) {
			throw new IllegalArgumentException(
					"quiver.adapters.store-uri must name a storage account and a container as "
							+ "az://account/container/prefix, not " + location);
		}
		this.prefix = (slash < 0) ? "" : path.substring(slash + 1) + "/";
		this.staging = staging;
		this.azure = azure;
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
		return "az://" + this.account + "/" + this.container + "/" + directory;
	}

	private void put(String blob, String contentType, HttpRequest.BodyPublisher body) throws IOException {
		StringBuilder url = new StringBuilder(
				this.azure.blobEndpoint().replace("{account}", this.account).replaceAll("/+$", ""))
			.append('/')
			.append(this.container);
		for (String segment : blob.split("/")) {
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
			throw new IOException("az://" + this.account + "/" + this.container + "/" + blob
					+ " could not be written: Blob Storage answered " + response.statusCode()
					+ ((response.statusCode() == 403)
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

	@Override
	public boolean owns(URI source) {
		return "az".equalsIgnoreCase(source.getScheme()) && this.account.equalsIgnoreCase(source.getRawAuthority());
	}

	private static String orEnvironment(String value, String variable) {
		String chosen = (value != null && !value.isBlank()) ? value : System.getenv(variable);
		return (chosen != null && !chosen.isBlank()) ? chosen : null;
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

}
