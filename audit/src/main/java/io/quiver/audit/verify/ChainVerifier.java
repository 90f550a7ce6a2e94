package io.quiver.audit.verify;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.sql.DataSource;

import io.quiver.audit.chain.AuditEventRows;
import io.quiver.audit.chain.ChainHashes;
import io.quiver.audit.checkpoint.Checkpoint;
import io.quiver.audit.checkpoint.CheckpointKeys;
import io.quiver.audit.checkpoint.JdbcCheckpoints;
import io.quiver.audit.verify.VerificationReport.BrokenLink;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Walks a tenant's chain in sequence order, streaming, and checks for each event that its
 * sequence follows the last, that its previous-hash is the last event's hash, that its
 * hash is SHA-256 over that and its own canonical JSON as stored now, and that it matches
 * any signed checkpoint at its sequence; then that the chain ends where its head and its
 * newest checkpoint say. Every checkpoint's Ed25519 signature is checked against the
 * trusted keys. A chain whose first events were removed by retention must start right
 * after a signed checkpoint, whose hash anchors it.
 */
public final class ChainVerifier {

	private final JdbcTemplate jdbc;

	private final TransactionTemplate readOnly;

	private final CheckpointKeys keys;

	public ChainVerifier(DataSource dataSource, CheckpointKeys keys) {
		this.jdbc = new JdbcTemplate(dataSource);
		// A cursor (fetch size inside a transaction) keeps memory flat for long chains.
		this.jdbc.setFetchSize(1000);
		this.readOnly = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		this.readOnly.setReadOnly(true);
		// One snapshot for the whole walk: under READ COMMITTED each statement sees the
		// chain as it is then, so an
		// event appended between reading the events and reading the head looked like a
		// truncated chain.
		this.readOnly.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
		this.keys = keys;
	}

	/**
	 * @param tenant the chain to verify
	 * @return the report
	 */
	public VerificationReport verify(String tenant) {
		return this.readOnly.execute((status) -> walk(tenant));
	}

	private VerificationReport walk(String tenant) {
		List<Checkpoint> checkpoints = this.jdbc.query(
				"select tenant, sequence, head_hash, signed_at, key_id, "
						+ "signature from audit_checkpoint where tenant = ? order by sequence",
				JdbcCheckpoints::checkpoint, tenant);
		Map<Long, Checkpoint> bySequence = new TreeMap<>();
		for (Checkpoint checkpoint : checkpoints) {
			if (!this.keys.verify(checkpoint.keyId(), checkpoint.payload(),
					Base64.getDecoder().decode(checkpoint.signature()))) {
				return broken(tenant, new Walk(), checkpoints.size(),
						new BrokenLink(checkpoint.sequence(),
								"checkpoint signature does not verify with trusted key " + checkpoint.keyId(),
								checkpoint.headHash(), null));
			}
			bySequence.put(checkpoint.sequence(), checkpoint);
		}
		Walk walk = new Walk();
		this.jdbc.query("select " + AuditEventRows.COLUMNS + " from audit_event where tenant = ? order by sequence",
				(RowCallbackHandler) (rs) -> walk.check(rs, bySequence), tenant);
		if (walk.broken != null) {
			return broken(tenant, walk, checkpoints.size(), walk.broken);
		}
		List<Map<String, Object>> head = this.jdbc
			.queryForList("select last_sequence, last_hash from audit_chain_head where tenant = ?", tenant);
		if (!head.isEmpty()) {
			long headSequence = (Long) head.getFirst().get("last_sequence");
			byte[] headHash = (byte[]) head.getFirst().get("last_hash");
			if (headSequence != walk.lastSequence || !Arrays.equals(headHash, walk.lastHash)) {
				return broken(tenant, walk, checkpoints.size(), new BrokenLink(walk.lastSequence + 1,
						"chain ends at " + walk.lastSequence + " but its head is at " + headSequence,
						ChainHashes.hex(headHash), (walk.lastSequence > 0) ? ChainHashes.hex(walk.lastHash) : null));
			}
		}
		if (!checkpoints.isEmpty() && checkpoints.getLast().sequence() > walk.lastSequence) {
			Checkpoint last = checkpoints.getLast();
			return broken(tenant, walk, checkpoints.size(),
					new BrokenLink(walk.lastSequence + 1,
							"chain ends at " + walk.lastSequence + " but a signed checkpoint covers " + last.sequence(),
							last.headHash(), null));
		}
		return new VerificationReport(tenant, true, walk.events, walk.firstSequence, walk.lastSequence,
				checkpoints.size(), null);
	}

	private static VerificationReport broken(String tenant, Walk walk, long checkpoints, BrokenLink link) {
		return new VerificationReport(tenant, false, walk.events, walk.firstSequence, walk.lastSequence, checkpoints,
				link);
	}

	/**
	 * The state of one walk: the last verified link, and the first break.
	 */
	private static final class Walk {

		long events;

		long firstSequence;

		long lastSequence;

		byte[] lastHash = ChainHashes.GENESIS;

		BrokenLink broken;

		void check(ResultSet rs, Map<Long, Checkpoint> checkpoints) throws SQLException {
			if (this.broken != null) {
				return;
			}
			long sequence = rs.getLong("sequence");
			byte[] prevHash = rs.getBytes("prev_hash");
			byte[] storedHash = rs.getBytes("hash");
			if (this.events == 0) {
				this.firstSequence = sequence;
				if (sequence > 1) {
					Checkpoint anchor = checkpoints.get(sequence - 1);
					if (anchor == null) {
						this.broken = new BrokenLink(1,
								"events 1 to " + (sequence - 1) + " are missing and no signed checkpoint covers them",
								null, ChainHashes.hex(prevHash));
						return;
					}
					this.lastHash = ChainHashes.unhex(anchor.headHash());
				}
				this.lastSequence = sequence - 1;
			}
			long expectedSequence = this.lastSequence + 1;
			if (sequence != expectedSequence) {
				this.broken = new BrokenLink(expectedSequence,
						"event " + expectedSequence + " is missing (the next stored event is " + sequence + ")",
						ChainHashes.hex(this.lastHash), ChainHashes.hex(prevHash));
				return;
			}
			if (!Arrays.equals(prevHash, this.lastHash)) {
				this.broken = new BrokenLink(sequence, "previous-hash link does not match the previous event",
						ChainHashes.hex(this.lastHash), ChainHashes.hex(prevHash));
				return;
			}
			byte[] recomputed = ChainHashes.hash(prevHash, AuditEventRows.chainedDocument(rs));
			if (!Arrays.equals(recomputed, storedHash)) {
				this.broken = new BrokenLink(sequence, "event content does not match its hash",
						ChainHashes.hex(recomputed), ChainHashes.hex(storedHash));
				return;
			}
			Checkpoint checkpoint = checkpoints.get(sequence);
			if (checkpoint != null && !checkpoint.headHash().equals(ChainHashes.hex(storedHash))) {
				this.broken = new BrokenLink(sequence, "event hash differs from the signed checkpoint",
						checkpoint.headHash(), ChainHashes.hex(storedHash));
				return;
			}
			this.events++;
			this.lastSequence = sequence;
			this.lastHash = storedHash;
		}

	}

}
