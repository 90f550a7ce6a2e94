package io.quiver.tenancy.adapter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Keeps adapters in a directory that workers can read ({@code file:} URIs): one PEFT
 * directory per tenant, adapter and version. Suits the single-machine stack and a shared
 * volume; object stores plug in behind the same interface.
 */
@Component
class LocalAdapterStore implements AdapterStore {

	private final Path root;

	LocalAdapterStore(AdapterProperties properties, @Value("${quiver.home:.quiver}") String home) {
		this.root = ((properties.storeDirectory() != null) ? properties.storeDirectory()
				: Path.of(home).resolve("adapters"))
			.toAbsolutePath()
			.normalize();
	}

	@Override
	public Staged stage(InputStream weights, long maxBytes) throws IOException {
		Path staging = Files.createDirectories(this.root.resolve(".staging"));
		Path file = Files.createTempFile(staging, "upload-", ".safetensors");
		MessageDigest digest = sha256();
		long size = 0;
		try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), digest)) {
			byte[] buffer = new byte[64 * 1024];
			int read;
			while ((read = weights.read(buffer)) >= 0) {
				size += read;
				if (size > maxBytes) {
					throw new IllegalArgumentException("adapter_model.safetensors exceeds " + maxBytes + " bytes");
				}
				out.write(buffer, 0, read);
			}
		}
		catch (IOException | RuntimeException ex) {
			Files.deleteIfExists(file);
			throw ex;
		}
		return new Staged(file, HexFormat.of().formatHex(digest.digest()), size);
	}

	@Override
	public String publish(Staged staged, byte[] config, String tenant, String name, String version) throws IOException {
		Path directory = Files.createDirectories(this.root.resolve(tenant).resolve(name).resolve(version));
		Files.write(directory.resolve("adapter_config.json"), config);
		Files.move(staged.weights(), directory.resolve("adapter_model.safetensors"),
				StandardCopyOption.REPLACE_EXISTING);
		return directory.toUri().toString();
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
