package io.quiver.worker.adapter;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings remote adapters into a local cache folder: {@code {cacheDir}/{id}/{sha256}} (or
 * {@code nosha-…} keyed by the source URI when the request names no digest). A download
 * goes to a temporary folder first, is checked against the digest the request names, and
 * only then renamed into place, so a folder in the cache is always whole and verified.
 * Callers load one id at a time (the {@link AdapterStore} single-flights loads per id).
 * Beyond {@link AdapterDownloadConfig#cacheMaxBytes()} the least recently used folders
 * are deleted, never one used in the last minute (a load may be reading it).
 */
final class AdapterDownloads implements AutoCloseable {

	static final String CONFIG = "adapter_config.json";

	static final String WEIGHTS = "adapter_model.safetensors";

	private static final Logger logger = LoggerFactory.getLogger(AdapterDownloads.class);

	private final AdapterDownloadConfig config;

	private final Map<String, AdapterDownloader> downloaders;

	AdapterDownloads(AdapterDownloadConfig config) {
		this.config = config;
		HttpAdapterDownloader http = new HttpAdapterDownloader(config);
		this.downloaders = Map.of("https", http, "http", http, "hf", new HubAdapterDownloader(config, http), "s3",
				new S3AdapterDownloader(config), "gs", new GcsAdapterDownloader(config, http), "az",
				new AzureBlobAdapterDownloader(config, http));
	}

	/**
	 * An adapter directory in the cache.
	 *
	 * @param directory the folder holding the two files
	 * @param sha256 the digest of its {@code adapter_model.safetensors}, or null where it
	 * was not computed
	 */
	record Downloaded(Path directory, String sha256) {
	}

	/**
	 * The cached directory of a remote adapter, downloaded now if it is not cached yet.
	 * @param id the adapter id
	 * @param source its remote source
	 * @return the directory
	 * @throws AdapterException if it cannot be downloaded or its digest differs
	 */
	Downloaded fetch(String id, AdapterSource source) {
		AdapterDownloader downloader = this.downloaders.get(source.uri().getScheme());
		if (downloader == null) {
			throw new AdapterException("adapter " + id + " has source " + source.redacted()
					+ "; this worker reads file://, https://, s3://, gs://, az:// and hf:// sources");
		}
		Path folder = this.config.cacheDir().resolve(folderName(id));
		String key = (source.sha256() != null) ? source.sha256().toLowerCase(java.util.Locale.ROOT)
				: "nosha-" + sha256Hex(source.uri().toString()).substring(0, 16);
		Path target = folder.resolve(key);
		if (Files.isRegularFile(target.resolve(WEIGHTS)) && Files.isRegularFile(target.resolve(CONFIG))) {
			touch(target);
			return new Downloaded(target, (source.sha256() != null) ? key : null);
		}
		long started = System.nanoTime();
		Path temp = folder.resolve(".download-" + UUID.randomUUID());
		try {
			Files.createDirectories(temp);
			String digest;
			try {
				downloader.download(source.uri(), CONFIG, temp.resolve(CONFIG));
				digest = downloader.download(source.uri(), WEIGHTS, temp.resolve(WEIGHTS));
			}
			catch (AdapterException ex) {
				throw new AdapterException("adapter " + id + " cannot be downloaded: " + ex.getMessage(), ex);
			}
			if (source.sha256() != null && !source.sha256().equalsIgnoreCase(digest)) {
				throw new AdapterException("adapter " + id + " failed verification: " + WEIGHTS + " downloaded from "
						+ source.redacted() + " has sha256 " + digest + ", the request named " + source.sha256());
			}
			try {
				Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
			}
			catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException ex) {
				// another worker process sharing the cache got there first: its copy is
				// as good
				deleteTree(temp);
			}
			catch (AtomicMoveNotSupportedException ex) {
				Files.move(temp, target);
			}
			touch(target);
			if (logger.isInfoEnabled()) {
				logger.info("Downloaded adapter {} from {} in {} ms", id, source.redacted(),
						(System.nanoTime() - started) / 1_000_000);
			}
			prune();
			return new Downloaded(target, digest);
		}
		catch (IOException ex) {
			throw new AdapterException("adapter " + id + " cannot be stored in the download cache: "
					+ ex.getClass().getSimpleName() + " " + ex.getMessage(), ex);
		}
		finally {
			deleteTree(temp);
		}
	}

	/**
	 * Deletes the least recently used downloads while the cache holds more than its
	 * budget, sparing those used in the last minute.
	 */
	synchronized void prune() {
		record Entry(Path dir, long bytes, FileTime used) {
		}
		List<Entry> entries = new ArrayList<>();
		long total = 0;
		try (Stream<Path> ids = Files.list(this.config.cacheDir())) {
			for (Path id : ids.filter(Files::isDirectory).toList()) {
				try (Stream<Path> versions = Files.list(id)) {
					for (Path version : versions.filter(Files::isDirectory).toList()) {
						if (version.getFileName().toString().startsWith(".")) {
							// a download in progress, or one a stopped process left
							// behind
							if (Files.getLastModifiedTime(version)
								.compareTo(FileTime.from(Instant.now().minus(Duration.ofHours(1)))) < 0) {
								deleteTree(version);
							}
							continue;
						}
						long bytes = size(version);
						entries.add(new Entry(version, bytes, Files.getLastModifiedTime(version)));
						total += bytes;
					}
				}
			}
		}
		catch (IOException ex) {
			logger.warn("Could not list the adapter download cache {}: {}", this.config.cacheDir(), ex.toString());
			return;
		}
		entries.sort(Comparator.comparing(Entry::used));
		FileTime recent = FileTime.from(Instant.now().minus(Duration.ofMinutes(1)));
		for (Entry entry : entries) {
			if (total <= this.config.cacheMaxBytes()) {
				break;
			}
			if (entry.used().compareTo(recent) > 0) {
				continue;
			}
			deleteTree(entry.dir());
			total -= entry.bytes();
			logger.info("Deleted the cached download {} ({} bytes) to stay within {} bytes",
					this.config.cacheDir().relativize(entry.dir()), entry.bytes(), this.config.cacheMaxBytes());
		}
	}

	private static long size(Path dir) throws IOException {
		long bytes = 0;
		try (Stream<Path> files = Files.list(dir)) {
			for (Path file : files.toList()) {
				bytes += Files.size(file);
			}
		}
		return bytes;
	}

	private static void touch(Path dir) {
		try {
			Files.setLastModifiedTime(dir, FileTime.from(Instant.now()));
		}
		catch (IOException ex) {
			logger.debug("Could not touch {}", dir, ex);
		}
	}

	/**
	 * Drops every cached download of an adapter.
	 * @param id the adapter id
	 */
	void forget(String id) {
		deleteTree(this.config.cacheDir().resolve(folderName(id)));
	}

	/** A folder name for an id: percent-encoded, so {@code acme/x@v1} is one folder. */
	static String folderName(String id) {
		return URLEncoder.encode(id, StandardCharsets.UTF_8).replace(".", "%2E").replace("*", "%2A");
	}

	private static String sha256Hex(String text) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void deleteTree(Path root) {
		if (!Files.exists(root)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(root)) {
			paths.sorted(Comparator.reverseOrder()).forEach((p) -> {
				try {
					Files.deleteIfExists(p);
				}
				catch (IOException ex) {
					logger.debug("Could not delete {}", p, ex);
				}
			});
		}
		catch (IOException ex) {
			logger.debug("Could not delete {}", root, ex);
		}
	}

	@Override
	public void close() {
		this.downloaders.values().forEach(AdapterDownloader::close);
	}

}
