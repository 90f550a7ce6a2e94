package io.quiver.gateway.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where a first start leaves a generated secret for its operator: a file readable by this
 * user only (mode 600), created with that mode so it is never readable by others, not
 * even for a moment. Secrets go there instead of into the log.
 */
public final class OwnerOnlyFiles {

	private OwnerOnlyFiles() {
	}

	/**
	 * @param file where the secret goes; replaced if it exists
	 * @param secret the secret
	 * @return the file
	 */
	public static Path write(Path file, String secret) {
		try {
			Files.createDirectories(file.getParent());
			Files.deleteIfExists(file);
			Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
			Files.writeString(file, secret + System.lineSeparator());
			return file;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not write a generated secret to " + file, ex);
		}
	}

}
