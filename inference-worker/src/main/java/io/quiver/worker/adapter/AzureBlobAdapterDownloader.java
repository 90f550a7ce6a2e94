package io.quiver.worker.adapter;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Downloads {@code az://account/container/prefix} sources (blobs
 * {@code prefix/adapter_config.json} and {@code prefix/adapter_model.safetensors}) from
 * Azure Blob Storage with the workload identity's Entra token. The token is fetched on
 * first use, so a worker that never sees an {@code az://} source never asks for one.
 */
final class AzureBlobAdapterDownloader implements AdapterDownloader {

	/** The Blob service version the requests speak. */
	static final String API_VERSION = "2023-11-03";

	private final AdapterDownloadConfig config;

	private final HttpAdapterDownloader http;

	private final AccessTokens tokens;

	AzureBlobAdapterDownloader(AdapterDownloadConfig config, HttpAdapterDownloader http) {
		this.config = config;
		this.http = http;
		this.tokens = new AccessTokens("Microsoft Entra ID", config.connectTimeout(),
				() -> tokenRequest(config.azure(), config.connectTimeout()));
	}

	/**
	 * The exchange of the projected service account token for an Entra token for Azure
	 * Storage, as the managed identity {@code AZURE_CLIENT_ID} of tenant
	 * {@code AZURE_TENANT_ID} (the variables the AKS workload identity webhook sets).
	 */
	private static HttpRequest tokenRequest(AdapterDownloadConfig.Azure azure, Duration timeout) {
		if (azure.clientId() == null || azure.tenantId() == null || azure.federatedTokenFile() == null) {
			throw new AdapterException("az:// sources need AKS workload identity: AZURE_CLIENT_ID, AZURE_TENANT_ID "
					+ "and AZURE_FEDERATED_TOKEN_FILE are not all set (label the pod azure.workload.identity/use=true)");
		}
		String assertion;
		try {
			assertion = Files.readString(Path.of(azure.federatedTokenFile())).trim();
		}
		catch (IOException ex) {
			throw new AdapterException(
					"the workload identity token file " + azure.federatedTokenFile() + " cannot be read", ex);
		}
		String form = "grant_type=client_credentials&client_id=" + encode(azure.clientId()) + "&scope="
				+ encode("https://storage.azure.com/.default") + "&client_assertion_type="
				+ encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") + "&client_assertion="
				+ encode(assertion);
		return HttpRequest
			.newBuilder(URI.create(azure.authorityHost().toString().replaceAll("/+$", "") + "/"
					+ encode(azure.tenantId()) + "/oauth2/v2.0/token"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.timeout(timeout)
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.build();
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	@Override
	public String download(URI source, String file, Path target) {
		return this.http.get(blobUri(this.config.azure().blobEndpoint(), source, file), this.tokens.get(),
				Map.of("x-ms-version", API_VERSION), target,
				"the worker's managed identity may not read it (it needs Storage Blob Data Reader on the container)");
	}

	/**
	 * The URL of one file of an {@code az://} adapter directory.
	 * @param endpoint the Blob service endpoint, {@code {account}} standing for the
	 * account: {@code https://{account}.blob.core.windows.net}
	 * @param source {@code az://account/container/prefix}
	 * @param file the file
	 * @return {@code {endpoint}/{container}/{prefix}/{file}}
	 */
	static URI blobUri(String endpoint, URI source, String file) {
		String account = source.getRawAuthority();
		String path = (source.getPath() != null) ? source.getPath().replaceAll("^/+|/+$", "") : "";
		if (account == null || !account.matches("[a-z0-9]{3,24}") || path.isEmpty()) {
			throw new AdapterException("az:// sources name a storage account, a container and a prefix as "
					+ "az://account/container/prefix, not " + AdapterSource.redact(source));
		}
		StringBuilder url = new StringBuilder(endpoint.replace("{account}", account).replaceAll("/+$", ""));
		for (String segment : (path + "/" + file).split("/")) {
			url.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
		}
		return URI.create(url.toString());
	}

}
