package io.quiver.audit.retention;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import io.quiver.audit.AuditEvent;
import io.quiver.audit.AuditRecord;
import io.quiver.audit.TestAudit;
import io.quiver.audit.chain.JdbcChainAppender;
import io.quiver.audit.checkpoint.CheckpointKeys;
import io.quiver.audit.checkpoint.JdbcCheckpoints;
import io.quiver.audit.trail.JdbcAuditTrail;
import io.quiver.audit.verify.ChainVerifier;
import io.quiver.audit.verify.VerificationReport;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

class RetentionJobTests {

	private final DataSource dataSource = TestAudit.dataSource();

	private final CheckpointKeys keys = TestAudit.keys();

	@Test
	void whenASegmentExpiredUnderASignedCheckpointThenOnlyThatSegmentIsRemovedAndTheRemovalIsAudited()
			throws Exception {
		String tenant = TestAudit.tenant("retention");
		Instant now = Instant.now();
		// Segment 1 (events 1-5) recorded and checkpointed 500 days ago; segment 2
		// (events 6-8) 300 days ago; the rest today.
		append(tenant, 5, now.minus(Duration.ofDays(500)));
		TestAudit.checkpoints(this.keys, Clock.fixed(now.minus(Duration.ofDays(500)), ZoneOffset.UTC))
			.checkpoint(tenant);
		append(tenant, 3, now.minus(Duration.ofDays(300)));
		TestAudit.checkpoints(this.keys, Clock.fixed(now.minus(Duration.ofDays(300)), ZoneOffset.UTC))
			.checkpoint(tenant);
		append(tenant, 2, now);

		RetentionJob job = job();
		List<RetentionJob.Purge> purges = job.run().stream().filter((p) -> p.tenant().equals(tenant)).toList();

		assertThat(purges).containsExactly(new RetentionJob.Purge(tenant, 1, 5, 5));
		assertThat(TestAudit.jdbc()
			.queryForList("select sequence from audit_event where tenant = ? order by sequence", Long.class, tenant))
			.containsExactly(6L, 7L, 8L, 9L, 10L, 11L);
		String purged = TestAudit.jdbc()
			.queryForObject("select action from audit_event where tenant = ? and sequence = 11", String.class, tenant);
		assertThat(purged).isEqualTo("audit.events_purged");
		VerificationReport report = new ChainVerifier(this.dataSource, this.keys).verify(tenant);
		assertThat(report.valid()).isTrue();
		assertThat(report.firstSequence()).isEqualTo(6);
		assertThat(report.eventsChecked()).isEqualTo(6);
		assertThat(TestAudit.jdbc()
			.queryForObject("select count(*) from audit_event where tenant = '_platform' "
					+ "and action = 'audit.retention_applied'", Long.class))
			.isPositive();
		// Nothing more has expired: a second run removes nothing.
		assertThat(job.run().stream().filter((p) -> p.tenant().equals(tenant))).isEmpty();
	}

	@Test
	void whenOldEventsHaveNoCheckpointThenNothingIsRemoved() throws Exception {
		String tenant = TestAudit.tenant("uncovered");
		append(tenant, 4, Instant.now().minus(Duration.ofDays(900)));
		assertThat(job().run().stream().filter((p) -> p.tenant().equals(tenant))).isEmpty();
		assertThat(TestAudit.count(tenant)).isEqualTo(4);
	}

	private RetentionJob job() throws Exception {
		JdbcCheckpoints checkpoints = TestAudit.checkpoints(this.keys, Clock.systemUTC());
		JdbcAuditTrail trail = TestAudit.trail(this.dataSource, Files.createTempDirectory("retention-spool"),
				List.of());
		return new RetentionJob(TestAudit.jdbc(), new DataSourceTransactionManager(this.dataSource), checkpoints, trail,
				Duration.ofDays(400), Clock.systemUTC());
	}

	private List<AuditRecord> append(String tenant, int count, Instant at) {
		JdbcChainAppender appender = TestAudit.appender(this.dataSource, Clock.fixed(at, ZoneOffset.UTC));
		List<AuditEvent> events = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			events.add(AuditEvent.builder(tenant, "auth.succeeded").occurredAt(at).build());
		}
		return new TransactionTemplate(new DataSourceTransactionManager(this.dataSource))
			.execute((status) -> appender.append(events));
	}

}
