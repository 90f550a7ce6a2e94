package io.quiver.audit.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import com.zaxxer.hikari.HikariDataSource;
import io.quiver.audit.AuditActor;
import io.quiver.audit.AuditEvent;
import io.quiver.audit.chain.JdbcChainAppender;
import io.quiver.audit.checkpoint.CheckpointKeys;
import io.quiver.audit.trail.FileSpool;
import io.quiver.audit.trail.JdbcAuditTrail;
import io.quiver.audit.verify.ChainVerifier;
import io.quiver.audit.verify.VerificationReport;
import org.flywaydb.core.Flyway;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * {@code bin/quiver bench audit}: sustained append throughput with the hash chain on,
 * through the same path the gateway uses for request events ({@code submit}: queue,
 * batched chained inserts, commit), into a scratch database it creates on the given
 * server and drops afterwards. Prints events per second overall and per second of the
 * run, then verifies the chains it wrote and prints that rate too.
 */
public final class AuditBenchmark {

	private AuditBenchmark() {
	}

	private static int positive(CommandLine command, String option, String fallback) {
		String value = command.option(option, fallback);
		try {
			int n = Integer.parseInt(value);
			if (n > 0) {
				return n;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		usageError("--" + option + " needs a positive whole number, not '" + value + "'");
		return 0;
	}

	private static void usageError(String message) {
		System.err.println("bench audit: " + message);
		System.err.println(USAGE);
		System.exit(2);
	}

	private static final String USAGE = """
			usage: bin/quiver bench audit [--events N] [--tenants N] [--producers N] [--writers N] [--batch-size N]
			                              [--db-url URL] [--db-user USER] [--keep]
			  --events N       events to append (default 300000)
			  --tenants N      tenants, one hash chain each (default 50)
			  --producers N    threads submitting events (default 4)
			  --writers N      threads writing batches to the database (default 2)
			  --batch-size N   events per batch insert (default 2000)
			  --db-url URL     the PostgreSQL server to create the scratch database on
			                   (default QUIVER_DB_URL, else jdbc:postgresql://127.0.0.1:5432/postgres)
			  --db-user USER   its user (default QUIVER_DB_USER, else postgres); the password comes from
			                   QUIVER_DB_PASSWORD only
			  --keep           keep the scratch database afterwards""";

	private static final Set<String> OPTIONS = Set.of("events", "tenants", "producers", "writers", "batch-size",
			"db-url", "db-user", "keep", "help");

	public static void main(String[] args) throws Exception {
		CommandLine.quietLogging();
		CommandLine command = new CommandLine(args);
		if (command.flag("help") || command.positional().contains("-h")) {
			System.out.println(USAGE);
			return;
		}
		String unknown = command.unknown(OPTIONS);
		if (unknown != null) {
			usageError("unknown option " + unknown);
		}
		int events = positive(command, "events", "300000");
		int tenants = positive(command, "tenants", "50");
		int producers = positive(command, "producers", "4");
		int batchSize = positive(command, "batch-size", "2000");
		int writers = positive(command, "writers", "2");
		long backlog = 10L * batchSize * writers;
		String serverUrl = command.dbUrl();
		String database = "quiver_audit_bench_" + Long.toString(System.currentTimeMillis(), 36);
		String url = serverUrl.replaceFirst("/[^/?]*(\\?|$)", "/" + database + "$1");
		execute(serverUrl, command, "create database " + database);
		Path spool = Files.createTempDirectory("quiver-audit-bench");
		try (HikariDataSource dataSource = CommandLine.pool(url, command.dbUser(), command.dbPassword(), writers + 2)) {
			Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
			JdbcAuditTrail trail = new JdbcAuditTrail(
					new JdbcChainAppender(new JdbcTemplate(dataSource), Clock.systemUTC()),
					new DataSourceTransactionManager(dataSource), FileSpool.open(spool), List.of(),
					new JdbcAuditTrail.Settings(writers, batchSize, Duration.ofMillis(5), 200_000,
							Duration.ofSeconds(1), Duration.ofSeconds(60)));
			trail.start();
			System.out.printf(Locale.ROOT,
					"Audit append benchmark: %,d events, %d tenants, %d producer threads, %d writers, batch %d, "
							+ "database %s%n",
					events, tenants, producers, writers, batchSize, url);
			System.out.println("Machine load before the run: " + loadAverage());
			warmUp(trail, tenants);
			long before = trail.stored();
			AtomicLong next = new AtomicLong();
			List<Long> perSecond = new ArrayList<>();
			long started = System.nanoTime();
			List<Thread> threads = new ArrayList<>();
			for (int p = 0; p < producers; p++) {
				threads.add(Thread.ofPlatform().start(() -> {
					long n;
					while ((n = next.getAndIncrement()) < events) {
						// Offered load above what the database takes would only measure
						// the
						// spool; hold the producers at a deep but bounded backlog
						// instead.
						while (trail.inMemory() > backlog) {
							Thread.onSpinWait();
							LockSupport.parkNanos(100_000);
						}
						trail.submit(event("tenant-" + (n % tenants), n));
					}
				}));
			}
			long lastStored = before;
			long lastTick = started;
			long lastProgress = started;
			long progressMark = before;
			while (trail.stored() - before < events) {
				Thread.sleep(100);
				long now = System.nanoTime();
				if (trail.stored() != progressMark) {
					progressMark = trail.stored();
					lastProgress = now;
				}
				else if (now - lastProgress > 30_000_000_000L) {
					throw new IllegalStateException("No event stored for 30 s (" + (trail.stored() - before) + " of "
							+ events + "); is the database migrated with this checkout's audit migration?");
				}
				if (now - lastTick >= 1_000_000_000L) {
					long stored = trail.stored();
					perSecond.add((stored - lastStored) * 1_000_000_000L / (now - lastTick));
					lastStored = stored;
					lastTick = now;
				}
			}
			long elapsed = System.nanoTime() - started;
			for (Thread thread : threads) {
				thread.join();
			}
			trail.stop();
			double seconds = elapsed / 1e9;
			System.out.printf(Locale.ROOT, "Stored %,d chained events in %.2f s: %,.0f events/s sustained%n", events,
					seconds, events / seconds);
			if (!perSecond.isEmpty()) {
				List<Long> sorted = perSecond.stream().sorted().toList();
				System.out.printf(Locale.ROOT, "Per-second rate: min %,d, median %,d, max %,d events/s%n",
						sorted.getFirst(), sorted.get(sorted.size() / 2), sorted.getLast());
			}
			System.out.println("Machine load after the run: " + loadAverage() + " ("
					+ Runtime.getRuntime().availableProcessors() + " CPUs; PostgreSQL shares them)");
			verify(dataSource, tenants);
		}
		finally {
			if (!command.flag("keep")) {
				execute(serverUrl, command, "drop database if exists " + database + " with (force)");
			}
			else {
				System.out.println("Kept database " + database);
			}
		}
	}

	private static String loadAverage() {
		try {
			String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
			return parts[0] + " " + parts[1] + " " + parts[2];
		}
		catch (java.io.IOException | RuntimeException ex) {
			return "unknown";
		}
	}

	private static void warmUp(JdbcAuditTrail trail, int tenants) throws InterruptedException {
		for (int i = 0; i < 20_000; i++) {
			trail.submit(event("tenant-" + (i % tenants), i));
		}
		trail.awaitIdle(Duration.ofMinutes(2));
	}

	private static void verify(HikariDataSource dataSource, int tenants) {
		ChainVerifier verifier = new ChainVerifier(dataSource, new CheckpointKeys(null, null, java.util.Map.of()));
		long started = System.nanoTime();
		long checked = 0;
		boolean valid = true;
		for (int t = 0; t < tenants; t++) {
			VerificationReport report = verifier.verify("tenant-" + t);
			checked += report.eventsChecked();
			valid &= report.valid();
		}
		double seconds = (System.nanoTime() - started) / 1e9;
		System.out.printf(Locale.ROOT, "Verified %,d events in %d chains in %.2f s (%,.0f events/s): %s%n", checked,
				tenants, seconds, checked / seconds, valid ? "all chains intact" : "BROKEN CHAIN");
	}

	private static AuditEvent event(String tenant, long n) {
		return AuditEvent.builder(tenant, "inference.completed")
			.actor(AuditActor.apiKey("key_" + (n % 16)))
			.resource("adapter", "support-bot@v3")
			.sourceIp("10.0." + ((n >> 8) & 255) + "." + (n & 255))
			.userAgent("openai-python/1.54.0")
			.requestId("req-" + n)
			.metadata("prompt_tokens", 412)
			.metadata("completion_tokens", 128)
			.metadata("latency_ms", 183)
			.metadata("status", 200)
			.metadata("worker", "worker-2")
			.build();
	}

	private static void execute(String url, CommandLine command, String sql) throws SQLException {
		try (Connection connection = DriverManager.getConnection(url, command.dbUser(), command.dbPassword());
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

}
