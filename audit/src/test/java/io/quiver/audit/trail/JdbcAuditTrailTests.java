package io.quiver.audit.trail;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import com.zaxxer.hikari.HikariDataSource;
import io.quiver.audit.TestAudit;
import io.quiver.audit.verify.ChainVerifier;
import io.quiver.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Count in equals count stored: through a database outage in the middle of the load, and
 * through a shutdown in the middle of the load.
 */
class JdbcAuditTrailTests {

	@TempDir
	Path spool;

	@Test
	void whenDatabaseBecomesUnavailableMidLoadThenEverySubmittedEventIsStoredOnceItReturns() throws Exception {
		TestAudit.dataSource();
		String tenant = TestAudit.tenant("outage");
		try (HikariDataSource pool = TestAudit.pool(500)) {
			JdbcAuditTrail trail = TestAudit.trail(pool, this.spool, List.of());
			trail.start();
			AtomicInteger submitted = new AtomicInteger();
			CountDownLatch halfway = new CountDownLatch(1);
			List<Thread> producers = new ArrayList<>();
			for (int p = 0; p < 4; p++) {
				producers.add(Thread.ofPlatform().start(() -> {
					for (int i = 0; i < 1500; i++) {
						trail.submit(TestAudit.event(tenant, submitted.incrementAndGet()));
						if (submitted.get() > 1500) {
							halfway.countDown();
						}
						if (i % 50 == 0) {
							sleep(20);
						}
					}
				}));
			}
			halfway.await();
			setDatabaseAvailable(false);
			sleep(1500);
			assertThat(Path.of(this.spool.toString(), "audit-spool.jsonl")).isNotEmptyFile();
			setDatabaseAvailable(true);
			for (Thread producer : producers) {
				producer.join();
			}
			assertThat(trail.awaitIdle(Duration.ofSeconds(120))).isTrue();
			trail.stop();
			assertThat(submitted.get()).isEqualTo(6000);
			assertThat(TestAudit.count(tenant)).isEqualTo(6000);
			assertThat(distinctIds(tenant)).isEqualTo(6000);
			assertThat(new ChainVerifier(TestAudit.dataSource(), TestAudit.keys()).verify(tenant).valid()).isTrue();
		}
		finally {
			setDatabaseAvailable(true);
		}
	}

	@Test
	void whenTrailStopsMidLoadThenEverySubmittedEventIsStoredAfterRestart() throws Exception {
		String tenant = TestAudit.tenant("shutdown");
		AtomicInteger submitted = new AtomicInteger();
		JdbcAuditTrail trail = TestAudit.trail(TestAudit.dataSource(), this.spool, List.of());
		trail.start();
		CountDownLatch started = new CountDownLatch(1);
		List<Thread> producers = new ArrayList<>();
		for (int p = 0; p < 4; p++) {
			producers.add(Thread.ofPlatform().start(() -> {
				for (int i = 0; i < 2000; i++) {
					trail.submit(TestAudit.event(tenant, submitted.incrementAndGet()));
					if (submitted.get() > 2000) {
						started.countDown();
					}
				}
			}));
		}
		started.await();
		// Stops while producers are still submitting: what the queue holds is drained,
		// what arrives after the stop goes to the spool.
		trail.stop();
		for (Thread producer : producers) {
			producer.join();
		}
		assertThat(submitted.get()).isEqualTo(8000);
		JdbcAuditTrail restarted = TestAudit.trail(TestAudit.dataSource(), this.spool, List.of());
		restarted.start();
		assertThat(restarted.awaitIdle(Duration.ofSeconds(120))).isTrue();
		restarted.stop();
		assertThat(TestAudit.count(tenant)).isEqualTo(8000);
		assertThat(distinctIds(tenant)).isEqualTo(8000);
		assertThat(new ChainVerifier(TestAudit.dataSource(), TestAudit.keys()).verify(tenant).valid()).isTrue();
	}

	@Test
	void whenSpoolEndsInATornLineThenTheLineIsCutAndTheRestReplays() throws Exception {
		String tenant = TestAudit.tenant("torn");
		FileSpool spool = FileSpool.open(this.spool);
		spool.append(List.of(TestAudit.event(tenant, 1), TestAudit.event(tenant, 2)));
		spool.close();
		java.nio.file.Files.writeString(this.spool.resolve("audit-spool.jsonl"), "{\"id\":\"tor",
				java.nio.file.StandardOpenOption.APPEND);
		JdbcAuditTrail trail = TestAudit.trail(TestAudit.dataSource(), this.spool, List.of());
		trail.start();
		assertThat(trail.awaitIdle(Duration.ofSeconds(30))).isTrue();
		trail.stop();
		assertThat(TestAudit.count(tenant)).isEqualTo(2);
	}

	@Test
	void whenEventsTrickleInThenTheWriterWaitsForABatchToFill() throws Exception {
		String tenant = TestAudit.tenant("trickle");
		JdbcAuditTrail trail = new JdbcAuditTrail(TestAudit.appender(TestAudit.dataSource(), Clock.systemUTC()),
				new DataSourceTransactionManager(TestAudit.dataSource()), FileSpool.open(this.spool), List.of(),
				new JdbcAuditTrail.Settings(1, 500, Duration.ofSeconds(2), 10_000, Duration.ofMillis(200),
						Duration.ofSeconds(20)));
		trail.start();
		try {
			for (int i = 1; i <= 20; i++) {
				trail.submit(TestAudit.event(tenant, i));
				sleep(5);
			}
			assertThat(trail.awaitIdle(Duration.ofSeconds(30))).isTrue();
		}
		finally {
			trail.stop();
		}
		assertThat(TestAudit.count(tenant)).isEqualTo(20);
		// Each batch is one transaction with one recorded_at: twenty events that arrived
		// within a tenth of a second, one every 5 ms, went in one batch (two at most,
		// should the machine stall), not one each.
		assertThat(TestAudit.jdbc()
			.queryForObject("select count(distinct recorded_at) from audit_event where tenant = ?", Long.class, tenant))
			.isLessThanOrEqualTo(2);
		assertThat(new ChainVerifier(TestAudit.dataSource(), TestAudit.keys()).verify(tenant).valid()).isTrue();
	}

	private static long distinctIds(String tenant) {
		return TestAudit.jdbc()
			.queryForObject("select count(distinct id) from audit_event where tenant = ?", Long.class, tenant);
	}

	/**
	 * Makes this JVM's test database refuse connections and drops the ones it has, as an
	 * outage would; only this database is affected, not the shared server.
	 */
	private static void setDatabaseAvailable(boolean available) throws SQLException {
		TestDatabase database = TestDatabase.get();
		String name = database.url().replaceAll(".*/([^/?]+)(\\?.*)?$", "$1");
		String serverUrl = database.url().replace("/" + name, "/postgres");
		try (Connection admin = DriverManager.getConnection(serverUrl, database.username(), database.password());
				Statement statement = admin.createStatement()) {
			statement.execute("alter database " + name + " allow_connections " + available);
			if (!available) {
				statement.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + name
						+ "' and pid <> pg_backend_pid()");
			}
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
