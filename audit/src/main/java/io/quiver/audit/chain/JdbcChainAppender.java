package io.quiver.audit.chain;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.quiver.audit.AuditEvent;
import io.quiver.audit.AuditRecord;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Appends events to their tenants' chains. Each append locks the heads of the chains it
 * extends ({@code audit_chain_head}, one row per tenant), numbers and hashes the events,
 * inserts them in one statement and moves the heads, all in the caller's transaction: so
 * sequences stay gap-free and links correct with any number of concurrent writers, and a
 * rollback takes events and head moves back together.
 */
public final class JdbcChainAppender {

	private static final String LOCK_HEADS = "select tenant, last_sequence, last_hash from audit_chain_head "
			+ "where tenant = any(?) order by tenant for update";

	private static final String CREATE_HEADS = "insert into audit_chain_head (tenant, last_sequence, last_hash) "
			+ "select t, 0, ? from unnest(?::text[]) as t order by t on conflict (tenant) do nothing returning tenant";

	private static final String INSERT = "insert into audit_event (tenant, sequence, id, occurred_at, recorded_at, "
			+ "actor_type, actor_id, actor_auth_method, actor_key_id, actor_issuer, action, resource_type, resource_id, "
			+ "outcome, reason, source_ip, user_agent, request_id, trace_id, changes, metadata, prev_hash, hash) "
			+ "select tenant, sequence, id::uuid, occurred_at::timestamptz, recorded_at::timestamptz, actor_type, "
			+ "actor_id, actor_auth_method, actor_key_id, actor_issuer, action, resource_type, resource_id, outcome, "
			+ "reason, source_ip, user_agent, request_id, trace_id, changes::jsonb, metadata::jsonb, "
			+ "decode(prev_hash, 'hex'), decode(hash, 'hex') from unnest(?::text[], ?::int8[], ?::text[], ?::text[], "
			+ "?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], "
			+ "?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], "
			+ "?::text[]) as u(tenant, sequence, id, occurred_at, recorded_at, actor_type, actor_id, actor_auth_method, "
			+ "actor_key_id, actor_issuer, action, resource_type, resource_id, outcome, reason, source_ip, user_agent, "
			+ "request_id, trace_id, changes, metadata, prev_hash, hash)";

	private static final String MOVE_HEADS = "update audit_chain_head h set last_sequence = u.s, "
			+ "last_hash = decode(u.h, 'hex'), updated_at = now() from unnest(?::text[], ?::int8[], ?::text[]) "
			+ "as u(t, s, h) where h.tenant = u.t";

	private static final String PRESENT_IDS = "select id::text from audit_event where id = any(?::uuid[])";

	private final JdbcTemplate jdbc;

	private final Clock clock;

	public JdbcChainAppender(JdbcTemplate jdbc, Clock clock) {
		this.jdbc = jdbc;
		this.clock = clock;
	}

	/**
	 * Appends every event, waiting for chain heads that other transactions hold.
	 * @param events the events, in the order they join their chains
	 * @return the records, in the same order
	 */
	public List<AuditRecord> append(List<AuditEvent> events) {
		return append(events, false).appended();
	}

	/**
	 * Appends the events whose chain heads are free right now and leaves the others: a
	 * background writer must never wait on a head that a request's transaction holds, or
	 * two of them could deadlock.
	 * @param events the events, in the order they join their chains
	 * @return what was appended and what was left, each in the given order
	 */
	public Appended appendAvailable(List<AuditEvent> events) {
		return append(events, true);
	}

	/**
	 * @param events events that may already be stored (a replay after an uncertain
	 * commit)
	 * @return those whose ids are not in the trail yet, in the given order
	 */
	public List<AuditEvent> absent(List<AuditEvent> events) {
		if (events.isEmpty()) {
			return events;
		}
		String[] ids = events.stream().map((event) -> event.id().toString()).toArray(String[]::new);
		Set<String> present = new HashSet<>(this.jdbc.execute((ConnectionCallback<List<String>>) (connection) -> {
			try (PreparedStatement statement = connection.prepareStatement(PRESENT_IDS)) {
				statement.setArray(1, connection.createArrayOf("text", ids));
				List<String> found = new ArrayList<>();
				try (var rs = statement.executeQuery()) {
					while (rs.next()) {
						found.add(rs.getString(1));
					}
				}
				return found;
			}
		}));
		return present.isEmpty() ? events
				: events.stream().filter((event) -> !present.contains(event.id().toString())).toList();
	}

	private Appended append(List<AuditEvent> events, boolean skipLocked) {
		if (!TransactionSynchronizationManager.isActualTransactionActive()) {
			throw new IllegalStateException("Audit events are appended inside a transaction");
		}
		if (events.isEmpty()) {
			return new Appended(List.of(), List.of());
		}
		return this.jdbc.execute((ConnectionCallback<Appended>) (connection) -> {
			Map<String, Head> heads = lockHeads(connection, events, skipLocked);
			Instant recordedAt = this.clock.instant().truncatedTo(ChronoUnit.MILLIS);
			List<AuditRecord> appended = new ArrayList<>(events.size());
			List<AuditEvent> left = new ArrayList<>();
			Rows rows = new Rows(events.size());
			for (AuditEvent event : events) {
				Head head = heads.get(event.tenant());
				if (head == null) {
					left.add(event);
					continue;
				}
				long sequence = head.sequence + 1;
				byte[] hash = ChainHashes.hash(head.hash, EventDocuments.chained(event, sequence, recordedAt));
				rows.add(event, sequence, recordedAt, head.hash, hash);
				appended.add(new AuditRecord(sequence, recordedAt, ChainHashes.hex(head.hash), ChainHashes.hex(hash),
						event));
				head.sequence = sequence;
				head.hash = hash;
				head.moved = true;
			}
			if (!appended.isEmpty()) {
				rows.insert(connection);
				moveHeads(connection, heads);
			}
			return new Appended(appended, left);
		});
	}

	private Map<String, Head> lockHeads(Connection connection, List<AuditEvent> events, boolean skipLocked)
			throws SQLException {
		Set<String> tenants = new TreeSet<>();
		events.forEach((event) -> tenants.add(event.tenant()));
		Map<String, Head> heads = new HashMap<>();
		selectHeads(connection, tenants, skipLocked, heads);
		if (heads.size() < tenants.size()) {
			Set<String> missing = new LinkedHashSet<>(tenants);
			missing.removeAll(heads.keySet());
			try (PreparedStatement statement = connection.prepareStatement(CREATE_HEADS)) {
				statement.setBytes(1, ChainHashes.GENESIS);
				statement.setArray(2, connection.createArrayOf("text", missing.toArray()));
				try (var rs = statement.executeQuery()) {
					while (rs.next()) {
						heads.put(rs.getString(1), new Head(0, ChainHashes.GENESIS));
					}
				}
			}
			if (!skipLocked && heads.size() < tenants.size()) {
				missing.removeAll(heads.keySet());
				selectHeads(connection, missing, false, heads);
			}
		}
		return heads;
	}

	private void selectHeads(Connection connection, Set<String> tenants, boolean skipLocked, Map<String, Head> heads)
			throws SQLException {
		String sql = skipLocked ? LOCK_HEADS + " skip locked" : LOCK_HEADS;
		try (PreparedStatement statement = connection.prepareStatement(sql)) {
			statement.setArray(1, connection.createArrayOf("text", tenants.toArray()));
			try (var rs = statement.executeQuery()) {
				while (rs.next()) {
					heads.put(rs.getString(1), new Head(rs.getLong(2), rs.getBytes(3)));
				}
			}
		}
	}

	private void moveHeads(Connection connection, Map<String, Head> heads) throws SQLException {
		List<String> tenants = new ArrayList<>();
		List<Long> sequences = new ArrayList<>();
		List<String> hashes = new ArrayList<>();
		heads.forEach((tenant, head) -> {
			if (head.moved) {
				tenants.add(tenant);
				sequences.add(head.sequence);
				hashes.add(ChainHashes.hex(head.hash));
			}
		});
		try (PreparedStatement statement = connection.prepareStatement(MOVE_HEADS)) {
			statement.setArray(1, connection.createArrayOf("text", tenants.toArray()));
			statement.setArray(2, connection.createArrayOf("int8", sequences.toArray()));
			statement.setArray(3, connection.createArrayOf("text", hashes.toArray()));
			statement.executeUpdate();
		}
	}

	/**
	 * The outcome of {@link #appendAvailable(List)}.
	 *
	 * @param appended the records stored
	 * @param left the events whose chain heads were busy, in their original order
	 */
	public record Appended(List<AuditRecord> appended, List<AuditEvent> left) {

	}

	private static final class Head {

		long sequence;

		byte[] hash;

		boolean moved;

		Head(long sequence, byte[] hash) {
			this.sequence = sequence;
			this.hash = hash;
		}

	}

	/**
	 * Column arrays for one multi-row insert ({@code unnest} of arrays: one round trip
	 * and one statement however many rows).
	 */
	private static final class Rows {

		private static final int COLUMNS = 23;

		private final List<List<Object>> columns = new ArrayList<>(COLUMNS);

		Rows(int capacity) {
			for (int i = 0; i < COLUMNS; i++) {
				this.columns.add(new ArrayList<>(capacity));
			}
		}

		void add(AuditEvent event, long sequence, Instant recordedAt, byte[] prevHash, byte[] hash) {
			Map<String, Object> resource = EventDocuments.resource(event.resource());
			Map<String, Object> changes = EventDocuments.changes(event.changes());
			Object[] values = { event.tenant(), sequence, event.id().toString(),
					EventDocuments.instant(event.occurredAt()), EventDocuments.instant(recordedAt),
					event.actor().type().wireValue(), event.actor().id(), event.actor().authMethod().wireValue(),
					event.actor().keyId(), event.actor().issuer(), event.action(),
					(resource != null) ? resource.get("type") : null, (resource != null) ? resource.get("id") : null,
					event.outcome().wireValue(), event.reason(), event.sourceIp(), event.userAgent(), event.requestId(),
					event.traceId(), (changes != null) ? CanonicalJson.write(changes) : null,
					CanonicalJson.write(event.metadata()), ChainHashes.hex(prevHash), ChainHashes.hex(hash) };
			for (int i = 0; i < COLUMNS; i++) {
				this.columns.get(i).add(values[i]);
			}
		}

		void insert(Connection connection) throws SQLException {
			try (PreparedStatement statement = connection.prepareStatement(INSERT)) {
				for (int i = 0; i < COLUMNS; i++) {
					Array array = connection.createArrayOf((i == 1) ? "int8" : "text", this.columns.get(i).toArray());
					statement.setArray(i + 1, array);
				}
				statement.executeUpdate();
			}
		}

	}

}
