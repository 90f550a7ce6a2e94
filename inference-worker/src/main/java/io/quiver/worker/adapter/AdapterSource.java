package io.quiver.worker.adapter;

import java.net.URI;
import java.nio.file.Path;

/**
 * Where an adapter's files are and the digest they must have.
 *
 * @param uri a {@code file://} URI of the adapter directory, or null to look it up in the
 * adapters folder by id
 * @param sha256 the lowercase hex SHA-256 of its {@code adapter_model.safetensors}, or
 * null for no check
 */
public record AdapterSource(URI uri, String sha256) {

	public static final AdapterSource LOCAL = new AdapterSource(null, null);

	/**
	 * Resolves the directory to read.
	 * @param id the adapter id
	 * @param adaptersDir the configured adapters folder, or null
	 * @return the directory
	 */
	Path directory(String id, Path adaptersDir) {
		if (this.uri != null) {
			if (!"file".equals(this.uri.getScheme())) {
				throw new AdapterException("adapter " + id + " has source " + this.uri.getScheme()
						+ "://, but this worker reads file:// sources only");
			}
			return Path.of(this.uri);
		}
		if (adaptersDir == null) {
			throw new UnknownAdapterException(id);
		}
		Path dir = adaptersDir.resolve(id).normalize();
		if (!dir.startsWith(adaptersDir.normalize()) || id.isBlank()) {
			throw new UnknownAdapterException(id);
		}
		if (!java.nio.file.Files.isDirectory(dir)) {
			throw new UnknownAdapterException(id);
		}
		return dir;
	}

}
