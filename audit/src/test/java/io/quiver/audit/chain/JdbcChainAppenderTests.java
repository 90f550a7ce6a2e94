package io.quiver.audit.chain;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import io.quiver.audit.AuditEvent;
import io.quiver.audit.AuditRecord;
import io.quiver.audit.TestAudit;
import io.quiver.audit.verify.ChainVerifier;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class JdbcChainAppenderTests {

	private final DataSource dataSource = TestAudit.dataSource();

	private final JdbcChainAppender appender = TestAudit.appender(this.dataSource, Clock.systemUTC());

	private final TransactionTemplate transactions = new TransactionTemplate(
			new DataSourceTransactionManager(this.dataSource));

	@Test
	void whenManyWritersAppendToOneTenantThenSequencesAreGapFreeAndTheChainVerifies() throws Exception {
		String tenant = TestAudit.tenant("concurrent");
		String other = TestAudit.tenant("concurrent");
		ExecutorService pool = Executors.newFixedThreadPool(6);
		List<Future<?>> writers = new ArrayList<>();
		for (int w = 0; w < 6; w++) {
			int writer = w;
			writers.add(pool.submit(() -> {
				for (int i = 0; i < 40; i++) {
					List<AuditEvent> batch = List.of(TestAudit.event(tenant, i), TestAudit.event(other, i),
							TestAudit.event(tenant, i + 1000 * writer));
					if (writer % 2 == 0) {
						this.transactions.execute((status) -> this.appender.append(batch));
					}
					else {
						this.transactions.execute((status) -> this.appender.appendAvailable(batch));
					}
				}
			}));
		}
		for (Future<?> writer : writers) {
			writer.get();
		}
		pool.shutdown();
		List<Long> sequences = TestAudit.jdbc()
			.queryForList("select sequence from audit_event where tenant = ? order by sequence", Long.class, tenant);
		long stored = sequences.size();
		assertThat(stored).isGreaterThan(0);
		assertThat(sequences).first().isEqualTo(1L);
		assertThat(sequences.getLast()).isEqualTo(stored);
		ChainVerifier verifier = new ChainVerifier(this.dataSource, TestAudit.keys());
		assertThat(verifier.verify(tenant).valid()).isTrue();
		assertThat(verifier.verify(other).valid()).isTrue();
		// Writers that must not wait left some events for later; those that waited
		// stored all of theirs: at least 3 x 40 x 2 for the tenant.
		assertThat(stored).isGreaterThanOrEqualTo(240);
	}

	@Test
	void whenCallerTransactionRollsBackThenEventAndHeadMoveRollBackTogether() {
		String tenant = TestAudit.tenant("rollback");
		this.transactions.execute((status) -> this.appender.append(List.of(TestAudit.event(tenant, 1))));
		this.transactions.executeWithoutResult((status) -> {
			this.appender.append(List.of(TestAudit.event(tenant, 2)));
			status.setRollbackOnly();
		});
		List<AuditRecord> third = this.transactions
			.execute((status) -> this.appender.append(List.of(TestAudit.event(tenant, 3))));
		assertThat(third.getFirst().sequence()).isEqualTo(2);
		assertThat(TestAudit.count(tenant)).isEqualTo(2);
	}

	@Test
	void whenAppendedOutsideATransactionThenItIsRefused() {
		assertThatIllegalStateException()
			.isThrownBy(() -> this.appender.append(List.of(TestAudit.event(TestAudit.tenant("notx"), 1))));
	}

	@Test
	void whenEventsAreAlreadyStoredThenAbsentLeavesOnlyNewOnes() {
		String tenant = TestAudit.tenant("absent");
		AuditEvent stored = TestAudit.event(tenant, 1);
		AuditEvent fresh = TestAudit.event(tenant, 2);
		this.transactions.execute((status) -> this.appender.append(List.of(stored)));
		List<AuditEvent> absent = this.transactions.execute((status) -> this.appender.absent(List.of(stored, fresh)));
		assertThat(absent).containsExactly(fresh);
	}

	@Test
	void whenRecordIsReadBackThenItEqualsTheEventAppended() {
		String tenant = TestAudit.tenant("roundtrip");
		AuditEvent event = AuditEvent.builder(tenant, "api_key.created")
			.actor(io.quiver.audit.AuditActor.user("u-1", io.quiver.audit.AuthMethod.JWT, "https://idp"))
			.changes(null, java.util.Map.of("name", "ci", "scopes", List.of("inference"), "hash", "x"))
			.metadata("ratio", 0.25)
			.build();
		AuditRecord appended = this.transactions.execute((status) -> this.appender.append(List.of(event)).getFirst());
		AuditRecord read = TestAudit.jdbc()
			.queryForObject("select " + AuditEventRows.COLUMNS + " from audit_event where tenant = ?",
					(rs, row) -> AuditEventRows.record(rs), tenant);
		assertThat(read).isEqualTo(appended);
	}

}
