package io.quiver.audit.retention;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.quiver.audit.AuditActor;
import io.quiver.audit.AuditEvent;
import io.quiver.audit.AuditTrail;
import io.quiver.audit.checkpoint.Checkpoint;
import io.quiver.audit.checkpoint.JdbcCheckpoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Applies the retention policy. A segment is the run of events between two consecutive
 * checkpoints of a chain; it expires when the checkpoint that closes it was signed more
 * than {@code retention} ago (every event in it was recorded before that). For each
 * tenant the job removes everything up to the newest expired checkpoint through
 * {@code audit_purge()}, which re-checks checkpoint and ages inside the database, and
 * records an {@code audit.events_purged} event in the same transaction; each run also
 * records {@code audit.retention_applied} in the platform chain. The remaining chain
 * stays verifiable: its first event links to the checkpoint's signed hash. One replica at
 * a time runs it (a transaction-level advisory lock).
 */
public final class RetentionJob {

	private static final Logger log = LoggerFactory.getLogger(RetentionJob.class);

	/** Arbitrary, fixed: the advisory lock that keeps replicas from purging at once. */
	private static final long LOCK_KEY = 0x5155495645524155L;

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final JdbcCheckpoints checkpoints;

	private final AuditTrail trail;

	private final Duration retention;

	private final Clock clock;

	public RetentionJob(JdbcTemplate jdbc, PlatformTransactionManager transactionManager, JdbcCheckpoints checkpoints,
			AuditTrail trail, Duration retention, Clock clock) {
		if (retention.compareTo(Duration.ofDays(1)) < 0) {
			throw new IllegalArgumentException("Audit retention must be at least one day");
		}
		this.jdbc = jdbc;
		this.transactions = new TransactionTemplate(transactionManager);
		this.checkpoints = checkpoints;
		this.trail = trail;
		this.retention = retention;
		this.clock = clock;
	}

	/**
	 * @return one entry per tenant whose chain lost a segment
	 */
	public List<Purge> run() {
		Instant cutoff = this.clock.instant().minus(this.retention);
		List<Purge> purges = new ArrayList<>();
		List<String> tenants = this.jdbc.queryForList("select tenant from audit_chain_head order by tenant",
				String.class);
		for (String tenant : tenants) {
			Optional<Checkpoint> expired = this.checkpoints.latestSignedBefore(tenant, cutoff);
			if (expired.isEmpty()) {
				continue;
			}
			Purge purge = this.transactions.execute((status) -> purge(tenant, expired.get()));
			if (purge != null) {
				purges.add(purge);
			}
		}
		// Every run is evidence that the policy is applied, including runs that found
		// nothing to remove.
		this.trail.record(AuditEvent.builder(AuditEvent.PLATFORM_TENANT, "audit.retention_applied")
			.actor(AuditActor.system("retention"))
			.metadata("retention_days", this.retention.toDays())
			.metadata("cutoff", cutoff)
			.metadata("chains_checked", tenants.size())
			.metadata("chains_trimmed", purges.size())
			.metadata("events_removed", purges.stream().mapToLong(Purge::removed).sum())
			.build());
		return purges;
	}

	private Purge purge(String tenant, Checkpoint checkpoint) {
		Boolean locked = this.jdbc.queryForObject("select pg_try_advisory_xact_lock(?)", Boolean.class, LOCK_KEY);
		if (!Boolean.TRUE.equals(locked)) {
			return null;
		}
		Long first = this.jdbc.queryForObject("select min(sequence) from audit_event where tenant = ?", Long.class,
				tenant);
		if (first == null || first > checkpoint.sequence()) {
			return null;
		}
		Long removed = this.jdbc.queryForObject("select audit_purge(?, ?, make_interval(secs => ?))", Long.class,
				tenant, checkpoint.sequence(), (double) this.retention.toSeconds());
		this.trail.record(AuditEvent.builder(tenant, "audit.events_purged")
			.actor(AuditActor.system("retention"))
			.resource("audit_trail", tenant)
			.metadata("first_sequence", first)
			.metadata("through_sequence", checkpoint.sequence())
			.metadata("removed", removed)
			.metadata("retention_days", this.retention.toDays())
			.metadata("checkpoint_key_id", checkpoint.keyId())
			.build());
		log.info("Audit retention removed {} events of tenant {} (sequences {} to {})", removed, tenant, first,
				checkpoint.sequence());
		return new Purge(tenant, first, checkpoint.sequence(), (removed != null) ? removed : 0);
	}

	/**
	 * One segment removal.
	 *
	 * @param tenant the chain
	 * @param firstSequence the first sequence removed
	 * @param throughSequence the last sequence removed (a signed checkpoint)
	 * @param removed how many events were removed
	 */
	public record Purge(String tenant, long firstSequence, long throughSequence, long removed) {

	}

}
