package io.quiver.audit.trail;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.quiver.audit.AuditEvent;
import io.quiver.audit.chain.CanonicalJson;
import io.quiver.audit.chain.EventDocuments;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local append-only file of events that could not be written to the database yet, one
 * JSON document per line, forced to disk on every append. A side file remembers how far
 * replay has come; once everything is replayed the spool is emptied. A line torn by a
 * crash mid-append is cut off on open; a line that cannot be read is moved to
 * {@code audit-spool.rejected} rather than blocking the replay forever.
 * <p>
 * One spool directory belongs to one process (an OS file lock guards it). Trails in the
 * same JVM that name the same directory, such as several application contexts in one test
 * run, share one instance; its methods are synchronized.
 */
public final class FileSpool implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(FileSpool.class);

	private final Path file;

	private final Path offsetFile;

	private final Path rejectedFile;

	private static final Map<Path, FileSpool> open = new HashMap<>();

	private final Path key;

	private final FileChannel channel;

	private final FileLock lock;

	private long offset;

	private int users;

	/**
	 * @param directory the spool's directory, created if missing
	 * @return the spool of that directory, shared with other users in this JVM
	 * @throws IllegalStateException if another process holds the directory
	 */
	public static FileSpool open(Path directory) {
		Path key = directory.toAbsolutePath().normalize();
		synchronized (open) {
			FileSpool spool = open.computeIfAbsent(key, FileSpool::new);
			spool.users++;
			return spool;
		}
	}

	private FileSpool(Path directory) {
		this.key = directory;
		try {
			Files.createDirectories(directory);
			this.file = directory.resolve("audit-spool.jsonl");
			this.offsetFile = directory.resolve("audit-spool.offset");
			this.rejectedFile = directory.resolve("audit-spool.rejected");
			this.channel = FileChannel.open(this.file, StandardOpenOption.CREATE, StandardOpenOption.READ,
					StandardOpenOption.WRITE);
			this.lock = this.channel.tryLock();
			if (this.lock == null) {
				this.channel.close();
				throw new IllegalStateException("Another process uses the audit spool in " + directory
						+ "; give each process its own quiver.audit.writer.spool-directory");
			}
			cutTornTail();
			this.offset = Files.exists(this.offsetFile)
					? Math.min(Long.parseLong(Files.readString(this.offsetFile).strip()), this.channel.size()) : 0;
			if (hasPending()) {
				log.warn("Audit spool {} holds {} bytes of events not yet in the database; replaying them", this.file,
						this.channel.size() - this.offset);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot open the audit spool in " + directory, ex);
		}
	}

	public Path file() {
		return this.file;
	}

	/**
	 * @param events events to keep until they can be replayed; on disk when this returns
	 */
	public synchronized void append(List<AuditEvent> events) {
		StringBuilder lines = new StringBuilder(events.size() * 512);
		for (AuditEvent event : events) {
			CanonicalJson.write(EventDocuments.document(event), lines);
			lines.append('\n');
		}
		ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
		try {
			long position = this.channel.size();
			while (bytes.hasRemaining()) {
				position += this.channel.write(bytes, position);
			}
			this.channel.force(false);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot append to the audit spool " + this.file, ex);
		}
	}

	public synchronized boolean hasPending() {
		try {
			return this.channel.size() > this.offset;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * @param max the most events to read
	 * @return the next events after the replayed ones, and where they end
	 */
	public synchronized Chunk read(int max) {
		List<AuditEvent> events = new ArrayList<>();
		long position = this.offset;
		try {
			long size = this.channel.size();
			InputStream in = new BufferedInputStream(Channels.newInputStream(this.channel.position(position)), 1 << 16);
			ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
			while (events.size() < max && position < size) {
				int b = in.read();
				if (b < 0) {
					break;
				}
				position++;
				if (b != '\n') {
					line.write(b);
					continue;
				}
				String text = line.toString(StandardCharsets.UTF_8);
				line.reset();
				try {
					events.add(EventDocuments.event(EventDocuments.parse(text)));
				}
				catch (RuntimeException ex) {
					reject(text, ex);
				}
			}
			return new Chunk(events, position);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read the audit spool " + this.file, ex);
		}
	}

	/**
	 * Marks everything before {@code end} as stored; empties the spool once all of it is.
	 * @param end the end of a {@link Chunk} that was stored
	 */
	public synchronized void commit(long end) {
		try {
			if (end >= this.channel.size()) {
				this.channel.truncate(0);
				this.channel.force(true);
				this.offset = 0;
				Files.deleteIfExists(this.offsetFile);
				return;
			}
			this.offset = end;
			Path temp = this.offsetFile.resolveSibling(this.offsetFile.getFileName() + ".tmp");
			Files.writeString(temp, Long.toString(end));
			Files.move(temp, this.offsetFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot record audit spool progress in " + this.offsetFile, ex);
		}
	}

	/**
	 * Releases this user's share; the last one closes the file.
	 */
	@Override
	public void close() {
		synchronized (open) {
			if (--this.users > 0) {
				return;
			}
			open.remove(this.key);
		}
		try {
			synchronized (this) {
				this.channel.close();
			}
		}
		catch (IOException ex) {
			log.warn("Could not close the audit spool {}", this.file, ex);
		}
	}

	private void reject(String line, RuntimeException ex) throws IOException {
		log.error("Unreadable line in audit spool {} moved to {}: {}", this.file, this.rejectedFile, ex.toString());
		Files.writeString(this.rejectedFile, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
				StandardOpenOption.APPEND);
	}

	private void cutTornTail() throws IOException {
		long size = this.channel.size();
		long end = size;
		ByteBuffer buffer = ByteBuffer.allocate(8192);
		while (end > 0) {
			long start = Math.max(0, end - buffer.capacity());
			buffer.clear().limit((int) (end - start));
			this.channel.read(buffer, start);
			for (int i = buffer.position() - 1; i >= 0; i--) {
				if (buffer.get(i) == '\n') {
					long keep = start + i + 1;
					if (keep < size) {
						log.warn("Cutting {} bytes of a torn last line from audit spool {}", size - keep, this.file);
						this.channel.truncate(keep);
					}
					return;
				}
			}
			end = start;
		}
		if (size > 0) {
			log.warn("Cutting {} bytes of a torn line from audit spool {}", size, this.file);
			this.channel.truncate(0);
		}
	}

	/**
	 * Events read from the spool.
	 *
	 * @param events the events, in spool order
	 * @param end the file position after the last of them
	 */
	public record Chunk(List<AuditEvent> events, long end) {

	}

}
