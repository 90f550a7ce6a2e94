package io.quiver.worker.adapter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Fetches the files of an adapter directory from one kind of remote source.
 */
interface AdapterDownloader extends AutoCloseable {

	/**
	 * Writes one file of the adapter directory at {@code source} to {@code target}.
	 * @param source the adapter directory's URI
	 * @param file the file's name in it
	 * @param target where to write it
	 * @return the lowercase hex SHA-256 of the file
	 * @throws AdapterException with a message fit for the client (never a credential)
	 */
	String download(URI source, String file, Path target);

	@Override
	default void close() {
	}

	/**
	 * Copies a download to a file, refusing more than {@code maxBytes}.
	 * @param in the download
	 * @param target the file to write
	 * @param maxBytes the most bytes accepted
	 * @param what the download, for messages
	 * @return the lowercase hex SHA-256 of what was written
	 * @throws IOException if reading or writing fails
	 */
	static String copy(InputStream in, Path target, long maxBytes, String what) throws IOException {
		MessageDigest digest;
		try {
			digest = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
		try (OutputStream out = new DigestOutputStream(Files.newOutputStream(target), digest)) {
			byte[] buffer = new byte[1 << 16];
			long total = 0;
			int n;
			while ((n = in.read(buffer)) >= 0) {
				total += n;
				if (total > maxBytes) {
					throw tooLarge(what, maxBytes);
				}
				out.write(buffer, 0, n);
			}
		}
		return HexFormat.of().formatHex(digest.digest());
	}

	static AdapterException tooLarge(String what, long maxBytes) {
		return new AdapterException(what + " is larger than the " + maxBytes + " bytes this worker accepts");
	}

}
