package io.quiver.worker.adapter;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Downloads {@code hf://org/name[@revision]} sources the way the Hugging Face hub serves
 * them: {@code {endpoint}/{org}/{name}/resolve/{revision}/{file}}, revision {@code main}
 * by default, with the configured token as a bearer token, following the hub's redirect
 * of large (LFS) files to its CDN.
 */
final class HubAdapterDownloader implements AdapterDownloader {

	private final AdapterDownloadConfig config;

	private final HttpAdapterDownloader http;

	HubAdapterDownloader(AdapterDownloadConfig config, HttpAdapterDownloader http) {
		this.config = config;
		this.http = http;
	}

	@Override
	public String download(URI source, String file, Path target) {
		URI url = resolve(this.config.hubEndpoint(), source, file);
		String unauthorized = (this.config.hubToken() != null) ? "the configured token may not read this repository"
				: "the repository is private or gated; set quiver.worker.sources.hf.token (or HF_TOKEN)";
		return this.http.get(url, this.config.hubToken(), target, unauthorized);
	}

	/**
	 * The download URL of one file of a hub repository.
	 * @param endpoint the hub
	 * @param source {@code hf://org/name[@revision]}
	 * @param file the file
	 * @return {@code {endpoint}/{org}/{name}/resolve/{revision}/{file}}
	 */
	static URI resolve(URI endpoint, URI source, String file) {
		String repo = ((source.getRawAuthority() != null) ? source.getRawAuthority() : "")
				+ ((source.getRawPath() != null) ? source.getRawPath() : "");
		repo = repo.replaceAll("/+$", "");
		String revision = "main";
		int at = repo.indexOf('@');
		if (at >= 0) {
			revision = URLEncoder.encode(java.net.URLDecoder.decode(repo.substring(at + 1), StandardCharsets.UTF_8),
					StandardCharsets.UTF_8);
			repo = repo.substring(0, at);
		}
		String[] parts = repo.split("/");
		if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty() || revision.isEmpty()) {
			throw new AdapterException(
					"hf:// sources name a repository as hf://org/name[@revision], not " + AdapterSource.redact(source));
		}
		String base = endpoint.toString().replaceAll("/+$", "");
		return URI.create(base + "/" + parts[0] + "/" + parts[1] + "/resolve/" + revision + "/" + file);
	}

}
