package io.quiver.audit.query;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

import io.quiver.audit.AuditRecord;
import io.quiver.audit.chain.AuditEventRows;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/**
 * Filtered reads of one tenant's events in sequence order, by keyset on
 * {@code (tenant, sequence)}.
 */
public final class JdbcAuditQueries {

	private final JdbcTemplate jdbc;

	public JdbcAuditQueries(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * @param query what to read
	 * @return one page, with a cursor when more may follow
	 */
	public AuditPage find(AuditQuery query) {
		List<AuditRecord> records = select(query, query.limit() + 1, (rs, row) -> AuditEventRows.record(rs));
		if (records.size() > query.limit()) {
			List<AuditRecord> page = records.subList(0, query.limit());
			return new AuditPage(List.copyOf(page), Cursors.encode(page.getLast().sequence()));
		}
		return new AuditPage(records, null);
	}

	/**
	 * Reads every match, page by page, so that an export of millions of events never
	 * holds more than one page or one long transaction.
	 * @param query what to read ({@code limit} is the page size)
	 * @param consumer receives each record in order
	 * @return how many records were read
	 */
	public long forEach(AuditQuery query, Consumer<AuditRecord> consumer) {
		return pages(query, (rs, row) -> AuditEventRows.record(rs), AuditRecord::sequence, consumer);
	}

	/**
	 * Like {@link #forEach} but hands out the stored documents with their hashes, as
	 * exported.
	 * @param query what to read ({@code limit} is the page size)
	 * @param consumer receives each document in order
	 * @return how many were read
	 */
	public long forEachDocument(AuditQuery query, Consumer<Map<String, Object>> consumer) {
		return pages(query, (rs, row) -> AuditEventRows.exportDocument(rs), (doc) -> (Long) doc.get("sequence"),
				consumer);
	}

	private <T> long pages(AuditQuery query, RowMapper<T> mapper, ToLongFunction<T> sequence, Consumer<T> consumer) {
		long count = 0;
		AuditQuery page = query;
		while (true) {
			List<T> items = select(page, page.limit(), mapper);
			items.forEach(consumer);
			count += items.size();
			if (items.size() < page.limit()) {
				return count;
			}
			page = page.after(sequence.applyAsLong(items.getLast()));
		}
	}

	/**
	 * @param cursor a cursor from a previous page, or {@code null}
	 * @return the sequence it stands for
	 */
	public static long afterSequence(String cursor) {
		return Cursors.decode(cursor);
	}

	private <T> List<T> select(AuditQuery query, int limit, RowMapper<T> mapper) {
		StringBuilder sql = new StringBuilder("select ").append(AuditEventRows.COLUMNS)
			.append(" from audit_event where tenant = ? and sequence > ?");
		List<Object> args = new ArrayList<>();
		args.add(query.tenant());
		args.add(query.afterSequence());
		if (query.from() != null) {
			sql.append(" and occurred_at >= ?");
			args.add(OffsetDateTime.ofInstant(query.from(), ZoneOffset.UTC));
		}
		if (query.to() != null) {
			sql.append(" and occurred_at < ?");
			args.add(OffsetDateTime.ofInstant(query.to(), ZoneOffset.UTC));
		}
		if (query.actor() != null) {
			sql.append(" and (actor_id = ? or actor_key_id = ?)");
			args.add(query.actor());
			args.add(query.actor());
		}
		if (query.action() != null) {
			if (query.action().endsWith(".*")) {
				sql.append(" and starts_with(action, ?)");
				args.add(query.action().substring(0, query.action().length() - 1));
			}
			else {
				sql.append(" and action = ?");
				args.add(query.action());
			}
		}
		if (query.outcome() != null) {
			sql.append(" and outcome = ?");
			args.add(query.outcome());
		}
		if (query.resourceType() != null) {
			sql.append(" and resource_type = ?");
			args.add(query.resourceType());
		}
		if (query.resourceId() != null) {
			sql.append(" and resource_id = ?");
			args.add(query.resourceId());
		}
		sql.append(" order by sequence limit ?");
		args.add(limit);
		return this.jdbc.query(sql.toString(), mapper, args.toArray());
	}

}
