package io.quiver.audit.chain;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import io.quiver.audit.AuditRecord;

/**
 * Reads {@code audit_event} rows back, as records for callers and as the exact documents
 * the chain hashed, for verification.
 */
public final class AuditEventRows {

	/** The columns both readers need, in a select list. */
	public static final String COLUMNS = "tenant, sequence, id, occurred_at, recorded_at, actor_type, actor_id, "
			+ "actor_auth_method, actor_key_id, actor_issuer, action, resource_type, resource_id, outcome, reason, "
			+ "source_ip, user_agent, request_id, trace_id, changes::text as changes, metadata::text as metadata, "
			+ "prev_hash, hash";

	private AuditEventRows() {
	}

	/**
	 * @param rs a result set positioned on a row selected with {@link #COLUMNS}
	 * @return the chained document exactly as it is stored, to hash again
	 * @throws SQLException if a column cannot be read
	 */
	public static Map<String, Object> chainedDocument(ResultSet rs) throws SQLException {
		Map<String, Object> doc = new TreeMap<>();
		doc.put("id", rs.getObject("id", UUID.class).toString());
		doc.put("tenant", rs.getString("tenant"));
		doc.put("sequence", rs.getLong("sequence"));
		doc.put("occurredAt", EventDocuments.instant(instant(rs, "occurred_at")));
		doc.put("recordedAt", EventDocuments.instant(instant(rs, "recorded_at")));
		Map<String, Object> actor = new TreeMap<>();
		actor.put("type", rs.getString("actor_type"));
		actor.put("id", rs.getString("actor_id"));
		actor.put("authMethod", rs.getString("actor_auth_method"));
		actor.put("keyId", rs.getString("actor_key_id"));
		actor.put("issuer", rs.getString("actor_issuer"));
		doc.put("actor", actor);
		doc.put("action", rs.getString("action"));
		String resourceType = rs.getString("resource_type");
		String resourceId = rs.getString("resource_id");
		if (resourceType != null || resourceId != null) {
			Map<String, Object> resource = new TreeMap<>();
			resource.put("type", resourceType);
			resource.put("id", resourceId);
			doc.put("resource", resource);
		}
		else {
			doc.put("resource", null);
		}
		doc.put("outcome", rs.getString("outcome"));
		doc.put("reason", rs.getString("reason"));
		doc.put("sourceIp", rs.getString("source_ip"));
		doc.put("userAgent", rs.getString("user_agent"));
		doc.put("requestId", rs.getString("request_id"));
		doc.put("traceId", rs.getString("trace_id"));
		doc.put("changes", EventDocuments.parse(rs.getString("changes")));
		doc.put("metadata", EventDocuments.parse(rs.getString("metadata")));
		return doc;
	}

	/**
	 * @param rs a result set positioned on a row selected with {@link #COLUMNS}
	 * @return the record
	 * @throws SQLException if a column cannot be read
	 */
	public static AuditRecord record(ResultSet rs) throws SQLException {
		Map<String, Object> doc = chainedDocument(rs);
		return new AuditRecord(rs.getLong("sequence"), instant(rs, "recorded_at"),
				ChainHashes.hex(rs.getBytes("prev_hash")), ChainHashes.hex(rs.getBytes("hash")),
				EventDocuments.event(doc));
	}

	/**
	 * @param rs a result set positioned on a row selected with {@link #COLUMNS}
	 * @return the stored document with {@code prevHash} and {@code hash} added: what an
	 * export line holds, so that anyone can recompute the chain from an export
	 * @throws SQLException if a column cannot be read
	 */
	public static Map<String, Object> exportDocument(ResultSet rs) throws SQLException {
		Map<String, Object> doc = chainedDocument(rs);
		doc.put("prevHash", ChainHashes.hex(rs.getBytes("prev_hash")));
		doc.put("hash", ChainHashes.hex(rs.getBytes("hash")));
		return doc;
	}

	private static Instant instant(ResultSet rs, String column) throws SQLException {
		return rs.getObject(column, OffsetDateTime.class).toInstant();
	}

}
