package io.quiver.audit.verify;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import io.quiver.audit.AuditEvent;
import io.quiver.audit.AuditRecord;
import io.quiver.audit.TestAudit;
import io.quiver.audit.chain.JdbcChainAppender;
import io.quiver.audit.checkpoint.CheckpointKeys;
import io.quiver.audit.checkpoint.JdbcCheckpoints;
import io.quiver.audit.verify.VerificationReport.BrokenLink;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tampers with stored rows the way a superuser could (triggers off) and checks that
 * verification names the exact broken link.
 */
class ChainVerifierTests {

	private final DataSource dataSource = TestAudit.dataSource();

	private final CheckpointKeys keys = TestAudit.keys();

	private final ChainVerifier verifier = new ChainVerifier(this.dataSource, this.keys);

	private final JdbcCheckpoints checkpoints = TestAudit.checkpoints(this.keys, Clock.systemUTC());

	@Test
	void whenChainIsUntouchedThenVerificationSucceedsWithCounts() {
		String tenant = TestAudit.tenant("intact");
		append(tenant, 10);
		this.checkpoints.checkpointMovedChains();
		VerificationReport report = this.verifier.verify(tenant);
		assertThat(report.valid()).isTrue();
		assertThat(report.eventsChecked()).isEqualTo(10);
		assertThat(report.firstSequence()).isEqualTo(1);
		assertThat(report.lastSequence()).isEqualTo(10);
		assertThat(report.checkpointsChecked()).isEqualTo(1);
		assertThat(report.brokenLink()).isNull();
	}

	@Test
	void whenEventsArriveWhileVerifyingThenTheChainStillVerifies() throws Exception {
		String tenant = TestAudit.tenant("busy");
		append(tenant, 50);
		AtomicBoolean stop = new AtomicBoolean();
		Thread writer = Thread.ofVirtual().start(() -> {
			while (!stop.get()) {
				append(tenant, 1);
			}
		});
		try {
			for (int i = 0; i < 40; i++) {
				VerificationReport report = this.verifier.verify(tenant);
				assertThat(report.valid()).as("verification %d: %s", i, report.brokenLink()).isTrue();
			}
		}
		finally {
			stop.set(true);
			writer.join();
		}
	}

	@Test
	void whenAnEventIsEditedThenVerificationNamesItsSequenceAndBothHashes() {
		String tenant = TestAudit.tenant("edited");
		List<AuditRecord> records = append(tenant, 10);
		TestAudit.tamper(
				"update audit_event set action = 'auth.succeeded' where tenant = '" + tenant + "' and sequence = 5");
		BrokenLink link = this.verifier.verify(tenant).brokenLink();
		assertThat(link.sequence()).isEqualTo(5);
		assertThat(link.problem()).contains("content");
		assertThat(link.foundHash()).isEqualTo(records.get(4).hash());
		assertThat(link.expectedHash()).isNotEqualTo(records.get(4).hash()).hasSize(64);
	}

	@Test
	void whenAMetadataValueIsEditedThenVerificationNamesThatEvent() {
		String tenant = TestAudit.tenant("metadata");
		List<AuditRecord> records = append(tenant, 6);
		TestAudit.tamper("update audit_event set metadata = jsonb_set(metadata, '{prompt_tokens}', '0') "
				+ "where tenant = '" + tenant + "' and sequence = 3");
		BrokenLink link = this.verifier.verify(tenant).brokenLink();
		assertThat(link.sequence()).isEqualTo(3);
		assertThat(link.foundHash()).isEqualTo(records.get(2).hash());
	}

	@Test
	void whenAnEventIsEditedAndRehashedThenTheNextLinkBreaks() {
		String tenant = TestAudit.tenant("rehashed");
		List<AuditRecord> records = append(tenant, 6);
		TestAudit.tamper("update audit_event set hash = decode(repeat('ab', 32), 'hex') where tenant = '" + tenant
				+ "' and sequence = 4");
		BrokenLink link = this.verifier.verify(tenant).brokenLink();
		assertThat(link.sequence()).isEqualTo(4);
		assertThat(link.expectedHash()).isEqualTo(records.get(3).hash());
		assertThat(link.foundHash()).isEqualTo("ab".repeat(32));
	}

	@Test
	void whenAnEventIsDeletedThenVerificationNamesTheMissingSequence() {
		String tenant = TestAudit.tenant("deleted");
		List<AuditRecord> records = append(tenant, 10);
		TestAudit.tamper("delete from audit_event where tenant = '" + tenant + "' and sequence = 7");
		BrokenLink link = this.verifier.verify(tenant).brokenLink();
		assertThat(link.sequence()).isEqualTo(7);
		assertThat(link.problem()).contains("missing");
		// The chain expects event 7 to link to event 6; the next stored event links to
		// the deleted one.
		assertThat(link.expectedHash()).isEqualTo(records.get(5).hash());
		assertThat(link.foundHash()).isEqualTo(records.get(6).hash());
	}

	@Test
	void whenTwoEventsAreSwappedThenVerificationNamesTheFirstOfThem() {
		String tenant = TestAudit.tenant("reordered");
		List<AuditRecord> records = append(tenant, 10);
		TestAudit.tamper("update audit_event set sequence = -1 where tenant = '" + tenant + "' and sequence = 3",
				"update audit_event set sequence = 3 where tenant = '" + tenant + "' and sequence = 4",
				"update audit_event set sequence = 4 where tenant = '" + tenant + "' and sequence = -1");
		BrokenLink link = this.verifier.verify(tenant).brokenLink();
		assertThat(link.sequence()).isEqualTo(3);
		assertThat(link.problem()).contains("previous-hash");
		assertThat(link.expectedHash()).isEqualTo(records.get(1).hash());
		assertThat(link.foundHash()).isEqualTo(records.get(2).hash());
	}

	@Test
	void whenTheNewestEventsAreDeletedThenTheSignedCheckpointExposesIt() {
		String tenant = TestAudit.tenant("truncated");
		List<AuditRecord> records = append(tenant, 8);
		this.checkpoints.checkpointMovedChains();
		TestAudit.tamper("delete from audit_event where tenant = '" + tenant + "' and sequence > 6",
				"update audit_chain_head set last_sequence = 6, last_hash = (select hash from audit_event "
						+ "where tenant = '" + tenant + "' and sequence = 6) where tenant = '" + tenant + "'");
		BrokenLink link = this.verifier.verify(tenant).brokenLink();
		assertThat(link.sequence()).isEqualTo(7);
		assertThat(link.problem()).contains("checkpoint");
		assertThat(link.expectedHash()).isEqualTo(records.get(7).hash());
	}

	@Test
	void whenACheckpointIsForgedThenItsSignatureFails() {
		String tenant = TestAudit.tenant("forged");
		append(tenant, 3);
		this.checkpoints.checkpointMovedChains();
		TestAudit.tamper("update audit_checkpoint set head_hash = decode(repeat('cd', 32), 'hex') where tenant = '"
				+ tenant + "'");
		BrokenLink link = this.verifier.verify(tenant).brokenLink();
		assertThat(link.sequence()).isEqualTo(3);
		assertThat(link.problem()).contains("signature");
	}

	private List<AuditRecord> append(String tenant, int count) {
		JdbcChainAppender appender = TestAudit.appender(this.dataSource, Clock.systemUTC());
		List<AuditEvent> events = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			events.add(TestAudit.event(tenant, i));
		}
		return new TransactionTemplate(new DataSourceTransactionManager(this.dataSource))
			.execute((status) -> appender.append(events));
	}

}
