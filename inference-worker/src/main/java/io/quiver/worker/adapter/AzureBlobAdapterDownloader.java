package io.quiver.worker.adapter;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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

	private final AzureAccessTokens tokens;

	AzureBlobAdapterDownloader(AdapterDownloadConfig config, HttpAdapterDownloader http) {
		this.config = config;
		this.http = http;
		this.tokens = new AzureAccessTokens(config.azure(), config.connectTimeout());
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
