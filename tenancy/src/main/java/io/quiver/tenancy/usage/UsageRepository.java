package io.quiver.tenancy.usage;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * Appends usage records in batches and keeps the daily roll-up in step, in one
 * transaction.
 */
@Repository
public class UsageRepository {

	private final JdbcTemplate jdbc;

	UsageRepository(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * @param records a batch collected off the request path
	 */
	@Transactional
	public void append(List<UsageRecord> records) {
		if (records.isEmpty()) {
			return;
		}
		this.jdbc.batchUpdate("""
				insert into usage_records (tenant_id, api_key_id, subject, model, adapter, prompt_tokens,
				  completion_tokens, latency_ms, status, request_id, occurred_at)
				values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", records, 500, (statement, record) -> {
			statement.setObject(1, record.tenantId());
			statement.setString(2, record.apiKey());
			statement.setString(3, record.subject());
			statement.setString(4, record.model());
			statement.setString(5, record.adapter());
			statement.setInt(6, record.promptTokens());
			statement.setInt(7, record.completionTokens());
			statement.setInt(8, record.latencyMillis());
			statement.setInt(9, record.status());
			statement.setString(10, record.requestId());
			statement.setTimestamp(11, Timestamp.from(record.occurredAt()));
		});
		this.jdbc.batchUpdate("""
				insert into usage_daily as d (tenant_id, day, api_key_id, adapter, requests, errors, prompt_tokens,
				  completion_tokens)
				values (?, ?, ?, ?, 1, ?, ?, ?)
				on conflict (tenant_id, day, api_key_id, adapter) do update set
				  requests = d.requests + 1, errors = d.errors + excluded.errors,
				  prompt_tokens = d.prompt_tokens + excluded.prompt_tokens,
				  completion_tokens = d.completion_tokens + excluded.completion_tokens""", records, 500,
				(statement, record) -> {
					statement.setObject(1, record.tenantId());
					statement.setObject(2, LocalDate.ofInstant(record.occurredAt(), ZoneOffset.UTC));
					statement.setString(3, (record.apiKey() != null) ? record.apiKey() : "");
					statement.setString(4, (record.adapter() != null) ? record.adapter() : "");
					statement.setInt(5, (record.status() >= 400) ? 1 : 0);
					statement.setLong(6, record.promptTokens());
					statement.setLong(7, record.completionTokens());
				});
	}

	/**
	 * Checks a range of days a caller asked for, before {@link #daily} reads it. Static,
	 * so its message reaches the caller as it is, not translated into a data access
	 * failure.
	 * @param from the first day (inclusive)
	 * @param to the last day (inclusive)
	 * @throws IllegalArgumentException if {@code from} lies after {@code to}, or they lie
	 * more than a year apart
	 */
	public static void requireRange(LocalDate from, LocalDate to) {
		if (from.isAfter(to) || from.plusDays(366).isBefore(to)) {
			throw new IllegalArgumentException("'from' must lie before 'to' and at most a year apart");
		}
	}

	/**
	 * @param tenantId the tenant
	 * @param from the first day (inclusive)
	 * @param to the last day (inclusive)
	 * @return the tenant's daily usage in that range
	 */
	@Transactional(readOnly = true)
	public List<DailyUsage> daily(UUID tenantId, LocalDate from, LocalDate to) {
		return this.jdbc
			.query("""
					select day, api_key_id, adapter, requests, errors, prompt_tokens, completion_tokens
					from usage_daily where tenant_id = ? and day between ? and ?
					order by day, api_key_id, adapter""",
					(row, index) -> new DailyUsage(row.getObject(1, LocalDate.class), row.getString(2),
							row.getString(3), row.getLong(4), row.getLong(5), row.getLong(6), row.getLong(7)),
					tenantId, from, to);
	}

	/**
	 * @param tenantId the tenant
	 * @param since the start of the window
	 * @return prompt plus completion tokens metered since then (index
	 * {@code usage_records_tenant_time} bounds the scan)
	 */
	@Transactional(readOnly = true)
	public long tokensSince(UUID tenantId, Instant since) {
		Long tokens = this.jdbc.queryForObject("""
				select coalesce(sum(prompt_tokens + completion_tokens), 0) from usage_records
				where tenant_id = ? and occurred_at >= ?""", Long.class, tenantId, Timestamp.from(since));
		return (tokens != null) ? tokens : 0;
	}

}
