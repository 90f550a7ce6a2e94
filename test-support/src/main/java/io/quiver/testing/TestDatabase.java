package io.quiver.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import io.quiver.db.EmbeddedPostgres;
import io.quiver.db.ShutdownOrder;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The PostgreSQL this test JVM runs against, chosen once per JVM in this order:
 * <ol>
 * <li>{@code QUIVER_TEST_DB_URL} (a JDBC URL of a server where
 * {@code QUIVER_TEST_DB_USER}, default {@code postgres}, may create databases;
 * {@code QUIVER_TEST_DB_PASSWORD} if it needs one);</li>
 * <li>a Testcontainers PostgreSQL where a Docker engine answers;</li>
 * <li>an {@link EmbeddedPostgres} otherwise.</li>
 * </ol>
 * Every JVM gets a new, empty database of its own on that server, dropped when the JVM
 * ends, so runs never see each other's data and parallel builds do not collide.
 */
public final class TestDatabase {

	private static volatile TestDatabase instance;

	private final String url;

	private final String username;

	private final String password;

	private TestDatabase(String url, String username, String password) {
		this.url = url;
		this.username = username;
		this.password = password;
	}

	/**
	 * @return this JVM's database, created on first use
	 */
	public static TestDatabase get() {
		TestDatabase result = instance;
		if (result == null) {
			synchronized (TestDatabase.class) {
				result = instance;
				if (result == null) {
					result = create();
					instance = result;
				}
			}
		}
		return result;
	}

	public String url() {
		return this.url;
	}

	public String username() {
		return this.username;
	}

	public String password() {
		return this.password;
	}

	/**
	 * @return a new connection as the test superuser
	 * @throws SQLException if the server does not answer
	 */
	public Connection connect() throws SQLException {
		return DriverManager.getConnection(this.url, this.username, this.password);
	}

	private static TestDatabase create() {
		String explicit = System.getenv("QUIVER_TEST_DB_URL");
		if (explicit != null && !explicit.isBlank()) {
			String user = envOr("QUIVER_TEST_DB_USER", "postgres");
			return isolated(explicit, user, envOr("QUIVER_TEST_DB_PASSWORD", ""));
		}
		if (dockerAvailable()) {
			PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine");
			container.start();
			Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "test-postgres-stop"));
			return isolated(container.getJdbcUrl(), container.getUsername(), container.getPassword());
		}
		try {
			Path dir = Files.createTempDirectory("quiver-test-pg");
			EmbeddedPostgres postgres = EmbeddedPostgres.start(dir.resolve("data"), 0, false);
			return isolated(postgres.jdbcUrl("postgres"), postgres.username(), "");
		}
		catch (java.io.IOException ex) {
			throw new IllegalStateException("Could not prepare an embedded PostgreSQL", ex);
		}
	}

	/**
	 * Creates a fresh database next to the one the server URL names and points this JVM
	 * at it.
	 */
	private static TestDatabase isolated(String serverUrl, String user, String password) {
		String name = "quiver_test_" + ProcessHandle.current().pid() + "_"
				+ Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36).toLowerCase(Locale.ROOT);
		try (Connection admin = DriverManager.getConnection(serverUrl, user, password);
				var statement = admin.createStatement()) {
			statement.execute("create database " + name);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not create test database on " + serverUrl
					+ " (set QUIVER_TEST_DB_URL to a server where " + user + " may create databases)", ex);
		}
		Runtime.getRuntime().addShutdownHook(new Thread(() -> drop(serverUrl, user, password, name), "test-db-drop"));
		return new TestDatabase(withDatabase(serverUrl, name), user, password);
	}

	private static void drop(String serverUrl, String user, String password, String name) {
		ShutdownOrder.awaitSpringShutdown(20_000);
		try (Connection admin = DriverManager.getConnection(serverUrl, user, password);
				var statement = admin.createStatement()) {
			statement.execute("drop database if exists " + name + " with (force)");
		}
		catch (SQLException ex) {
			// The server may already be gone (embedded, container); nothing is left to
			// clean then.
		}
	}

	static String withDatabase(String url, String database) {
		int query = url.indexOf('?');
		String base = (query < 0) ? url : url.substring(0, query);
		String params = (query < 0) ? "" : url.substring(query);
		int slash = base.lastIndexOf('/');
		return base.substring(0, slash + 1) + database + params;
	}

	private static boolean dockerAvailable() {
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		}
		catch (Throwable ex) {
			return false;
		}
	}

	private static String envOr(String name, String fallback) {
		String value = System.getenv(name);
		return (value == null || value.isBlank()) ? fallback : value;
	}

}
