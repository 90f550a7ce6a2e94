package io.quiver.audit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.quiver.audit.chain.JdbcChainAppender;
import io.quiver.audit.checkpoint.CheckpointKeys;
import io.quiver.audit.checkpoint.JdbcCheckpoints;
import io.quiver.audit.sink.AuditSink;
import io.quiver.audit.trail.FileSpool;
import io.quiver.audit.trail.JdbcAuditTrail;
import io.quiver.testing.TestDatabase;
import org.flywaydb.core.Flyway;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * Fixtures for audit tests that run without a Spring context: the migrated test database,
 * unique tenants, events and ready-made components.
 */
public final class TestAudit {

	private static final AtomicInteger tenants = new AtomicInteger();

	private static volatile HikariDataSource dataSource;

	private TestAudit() {
	}

	/**
	 * @return a pooled DataSource on this JVM's migrated test database
	 */
	public static synchronized DataSource dataSource() {
		if (dataSource == null) {
			TestDatabase database = TestDatabase.get();
			Flyway.configure()
				.dataSource(database.url(), database.username(), database.password())
				.locations("classpath:db/migration")
				.load()
				.migrate();
			dataSource = pool(2000);
		}
		return dataSource;
	}

	/**
	 * @param connectionTimeoutMillis how long a borrower waits for a connection
	 * @return a new pool on the test database
	 */
	public static HikariDataSource pool(long connectionTimeoutMillis) {
		TestDatabase database = TestDatabase.get();
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(database.url());
		config.setUsername(database.username());
		config.setPassword(database.password());
		config.setMaximumPoolSize(8);
		config.setConnectionTimeout(connectionTimeoutMillis);
		config.setInitializationFailTimeout(-1);
		return new HikariDataSource(config);
	}

	public static JdbcTemplate jdbc() {
		return new JdbcTemplate(dataSource());
	}

	/**
	 * @param purpose a word for the test
	 * @return a tenant slug no other test in this JVM uses
	 */
	public static String tenant(String purpose) {
		return purpose.toLowerCase(Locale.ROOT) + "-" + ProcessHandle.current().pid() + "-" + tenants.incrementAndGet();
	}

	/**
	 * @param tenant the tenant
	 * @param n a number to tell events apart
	 * @return a typical inference event
	 */
	public static AuditEvent event(String tenant, int n) {
		return AuditEvent.builder(tenant, "inference.completed")
			.actor(AuditActor.apiKey("key_" + (n % 7)))
			.resource("adapter", "support-bot@v" + (n % 3))
			.sourceIp("192.0.2." + (n % 250))
			.userAgent("test-client/1.0")
			.requestId("req-" + n)
			.metadata("prompt_tokens", n)
			.metadata("completion_tokens", n * 2)
			.metadata("latency_ms", 12.5 + n)
			.metadata("status", 200)
			.build();
	}

	public static JdbcChainAppender appender(DataSource dataSource, Clock clock) {
		return new JdbcChainAppender(new JdbcTemplate(dataSource), clock);
	}

	public static JdbcAuditTrail trail(DataSource dataSource, Path spoolDirectory, List<AuditSink> sinks) {
		return new JdbcAuditTrail(appender(dataSource, Clock.systemUTC()), new DataSourceTransactionManager(dataSource),
				FileSpool.open(spoolDirectory), sinks, new JdbcAuditTrail.Settings(2, 500, Duration.ofMillis(10),
						10_000, Duration.ofMillis(200), Duration.ofSeconds(20)));
	}

	public static CheckpointKeys keys() {
		try {
			return CheckpointKeys.fromConfiguration(null, java.util.Map.of(), java.util.Map.of(),
					Files.createTempDirectory("audit-keys").resolve("dev.pem"));
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	public static JdbcCheckpoints checkpoints(CheckpointKeys keys, Clock clock) {
		return new JdbcCheckpoints(jdbc(), keys, List.of(), clock);
	}

	/**
	 * Runs SQL as the superuser with triggers off, as an attacker who owns the server
	 * would.
	 * @param sql statements to run
	 */
	public static void tamper(String... sql) {
		try (Connection connection = TestDatabase.get().connect(); Statement statement = connection.createStatement()) {
			statement.execute("set session_replication_role = replica");
			for (String each : sql) {
				statement.execute(each);
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public static long count(String tenant) {
		return jdbc().queryForObject("select count(*) from audit_event where tenant = ?", Long.class, tenant);
	}

}
