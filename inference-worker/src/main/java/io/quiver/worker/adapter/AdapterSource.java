package io.quiver.worker.adapter;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Where an adapter's files are and the digest they must have.
 *
 * @param uri where the adapter directory is: {@code file://}, {@code https://}
 * ({@code http://} where allowed), {@code s3://bucket/prefix},
 * {@code gs://bucket/prefix}, {@code az://account/container/prefix} or
 * {@code hf://org/name[@revision]}; or null to look it up in the adapters folder by id
 * @param sha256 the lowercase hex SHA-256 of its {@code adapter_model.safetensors}, or
 * null for no check
 */
public record AdapterSource(URI uri, String sha256) {

	public static final AdapterSource LOCAL = new AdapterSource(null, null);

	/** The URI schemes a source may have. */
	public static final Set<String> SCHEMES = Set.of("file", "https", "http", "s3", "gs", "az", "hf");

	/** Whether the files must be downloaded first (any scheme but {@code file}). */
	public boolean isRemote() {
		return this.uri != null && !"file".equals(this.uri.getScheme());
	}

	/**
	 * The URI fit for messages and logs: no user info, no query (which may carry a
	 * signature or a token), no fragment.
	 * @return the URI's scheme, host, port and path
	 */
	public String redacted() {
		return redact(this.uri);
	}

	static String redact(URI uri) {
		if (uri == null) {
			return "(adapters folder)";
		}
		StringBuilder text = new StringBuilder().append(uri.getScheme()).append("://");
		if (uri.getHost() != null) {
			text.append(uri.getHost());
			if (uri.getPort() >= 0) {
				text.append(':').append(uri.getPort());
			}
		}
		else if (uri.getRawAuthority() != null) {
			String authority = uri.getRawAuthority();
			text.append(authority.substring(authority.lastIndexOf('@') + 1));
		}
		if (uri.getRawPath() != null) {
			text.append(uri.getRawPath());
		}
		return text.toString();
	}

	/**
	 * Resolves the directory to read, for local sources.
	 * @param id the adapter id
	 * @param adaptersDir the configured adapters folder, or null
	 * @return the directory
	 */
	Path directory(String id, Path adaptersDir) {
		if (this.uri != null) {
			if (isRemote()) {
				throw new IllegalStateException("a remote source is downloaded, not read in place");
			}
			return Path.of(this.uri);
		}
		if (adaptersDir == null) {
			throw new UnknownAdapterException(id);
		}
		Path dir = adaptersDir.resolve(id).normalize();
		// no id names a hidden folder: the download cache may live in one
		boolean hidden = id.startsWith(".") || id.contains("/.");
		if (!dir.startsWith(adaptersDir.normalize()) || id.isBlank() || hidden) {
			throw new UnknownAdapterException(id);
		}
		if (!Files.isDirectory(dir)) {
			throw new UnknownAdapterException(id);
		}
		return dir;
	}

}
