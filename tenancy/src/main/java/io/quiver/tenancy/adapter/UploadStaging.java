package io.quiver.tenancy.adapter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Receives uploaded weights into a staging folder, computing their SHA-256 on the way and
 * refusing more than a limit: the one way every {@link AdapterStore} takes an upload in.
 */
final class UploadStaging {

	private UploadStaging() {
	}

	/**
	 * @param folder the staging folder, created if missing
	 * @param weights the uploaded {@code adapter_model.safetensors}
	 * @param maxBytes the most bytes accepted
	 * @return the staged file with its digest and size
	 * @throws IOException if the file cannot be written
	 */
	static AdapterStore.Staged stage(Path folder, InputStream weights, long maxBytes) throws IOException {
		Path staging = Files.createDirectories(folder);
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
		return new AdapterStore.Staged(file, HexFormat.of().formatHex(digest.digest()), size);
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
