package io.quiver.audit.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes each checkpoint to {@code <directory>/<tenant>/<sequence>.json}, never
 * overwriting a file. Point it at a mounted bucket (S3 Object Lock, GCS retention policy,
 * Azure immutable blob) to get a write-once copy with a retention lock.
 */
public final class DirectoryCheckpointCopy implements CheckpointCopy {

	private final Path directory;

	public DirectoryCheckpointCopy(Path directory) {
		this.directory = directory;
	}

	@Override
	public void copy(Checkpoint checkpoint) {
		Path file = this.directory.resolve(checkpoint.tenant())
			.resolve(String.format("%020d.json", checkpoint.sequence()));
		try {
			Files.createDirectories(file.getParent());
			Files.writeString(file, checkpoint.toJson() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
					StandardOpenOption.WRITE, StandardOpenOption.SYNC);
		}
		catch (FileAlreadyExistsException ex) {
			// Another replica copied the same checkpoint first.
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot copy audit checkpoint to " + file, ex);
		}
	}

}
