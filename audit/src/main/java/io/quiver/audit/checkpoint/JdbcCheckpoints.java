package io.quiver.audit.checkpoint;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import io.quiver.audit.chain.ChainHashes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Signs the head of every chain that moved since its last checkpoint and stores the
 * checkpoints (append-only, like the events), copying each one out when a
 * {@link CheckpointCopy} is configured. Replicas may run this at once: a checkpoint
 * another replica already stored is kept, not duplicated.
 */
public final class JdbcCheckpoints {

	private static final Logger log = LoggerFactory.getLogger(JdbcCheckpoints.class);

	private static final String MOVED_HEADS = "select h.tenant, h.last_sequence, h.last_hash from audit_chain_head h "
			+ "where h.last_sequence > coalesce((select max(c.sequence) from audit_checkpoint c "
			+ "where c.tenant = h.tenant), 0)";

	private static final String INSERT = "insert into audit_checkpoint (tenant, sequence, head_hash, signed_at, key_id, "
			+ "signature) values (?, ?, ?, ?, ?, ?) on conflict (tenant, sequence) do nothing";

	private static final String SELECT = "select tenant, sequence, head_hash, signed_at, key_id, signature "
			+ "from audit_checkpoint";

	private final JdbcTemplate jdbc;

	private final CheckpointKeys keys;

	private final List<CheckpointCopy> copies;

	private final Clock clock;

	public JdbcCheckpoints(JdbcTemplate jdbc, CheckpointKeys keys, List<CheckpointCopy> copies, Clock clock) {
		this.jdbc = jdbc;
		this.keys = keys;
		this.copies = List.copyOf(copies);
		this.clock = clock;
	}

	/**
	 * Stores the public keys in {@code audit_signing_key}, for offline verification.
	 */
	public void registerKeys() {
		this.keys.publicKeys()
			.forEach(
					(id, key) -> this.jdbc.update(
							"insert into audit_signing_key (key_id, algorithm, public_key) "
									+ "values (?, 'Ed25519', ?) on conflict (key_id) do nothing",
							id, key.getEncoded()));
	}

	/**
	 * @return the checkpoints made, one per chain that moved
	 */
	public List<Checkpoint> checkpointMovedChains() {
		return signMoved(MOVED_HEADS + " order by h.tenant");
	}

	/**
	 * @param tenant a chain
	 * @return the checkpoint made, if the chain moved since its last one
	 */
	public Optional<Checkpoint> checkpoint(String tenant) {
		return signMoved(MOVED_HEADS + " and h.tenant = ?", tenant).stream().findFirst();
	}

	private List<Checkpoint> signMoved(String sql, Object... args) {
		List<Checkpoint> made = new ArrayList<>();
		this.jdbc.query(sql, (ResultSet rs) -> {
			made.add(sign(rs.getString(1), rs.getLong(2), rs.getBytes(3)));
		}, args);
		List<Checkpoint> stored = new ArrayList<>();
		for (Checkpoint checkpoint : made) {
			int inserted = this.jdbc.update(INSERT, checkpoint.tenant(), checkpoint.sequence(),
					ChainHashes.unhex(checkpoint.headHash()),
					OffsetDateTime.ofInstant(checkpoint.signedAt(), ZoneOffset.UTC), checkpoint.keyId(),
					Base64.getDecoder().decode(checkpoint.signature()));
			if (inserted == 1) {
				stored.add(checkpoint);
				for (CheckpointCopy copy : this.copies) {
					copy.copy(checkpoint);
				}
			}
		}
		if (!stored.isEmpty()) {
			log.info("Signed {} audit checkpoints with key {}", stored.size(), this.keys.activeKeyId());
		}
		return stored;
	}

	/**
	 * @param tenant a chain
	 * @return its checkpoints, oldest first
	 */
	public List<Checkpoint> checkpoints(String tenant) {
		return this.jdbc.query(SELECT + " where tenant = ? order by sequence", JdbcCheckpoints::checkpoint, tenant);
	}

	/**
	 * @param tenant a chain
	 * @return its newest checkpoint signed before {@code before}, if any
	 */
	public Optional<Checkpoint> latestSignedBefore(String tenant, java.time.Instant before) {
		return this.jdbc
			.query(SELECT + " where tenant = ? and signed_at < ? order by sequence desc limit 1",
					JdbcCheckpoints::checkpoint, tenant, OffsetDateTime.ofInstant(before, ZoneOffset.UTC))
			.stream()
			.findFirst();
	}

	public static Checkpoint checkpoint(ResultSet rs, int row) throws SQLException {
		return new Checkpoint(rs.getString("tenant"), rs.getLong("sequence"), ChainHashes.hex(rs.getBytes("head_hash")),
				rs.getObject("signed_at", OffsetDateTime.class).toInstant(), rs.getString("key_id"),
				Base64.getEncoder().encodeToString(rs.getBytes("signature")));
	}

	private Checkpoint sign(String tenant, long sequence, byte[] hash) {
		Checkpoint unsigned = new Checkpoint(tenant, sequence, ChainHashes.hex(hash),
				this.clock.instant().truncatedTo(ChronoUnit.MILLIS), this.keys.activeKeyId(), "");
		byte[] signature = this.keys.sign(unsigned.payload());
		return new Checkpoint(tenant, sequence, unsigned.headHash(), unsigned.signedAt(), unsigned.keyId(),
				Base64.getEncoder().encodeToString(signature));
	}

}
