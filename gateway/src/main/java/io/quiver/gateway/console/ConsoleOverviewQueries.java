package io.quiver.gateway.console;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.quiver.gateway.console.ConsoleOverview.Bar;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Reads the overview from the audit trail's {@code inference.completed} events, which
 * already carry status, latency and model for every request (index
 * {@code audit_event_tenant_occurred} bounds the scan to one tenant's last day).
 */
@Component
class ConsoleOverviewQueries {

	private static final String WHERE = " from audit_event where tenant = ? and action = 'inference.completed'"
			+ " and occurred_at >= ?";

	private final JdbcTemplate jdbc;

	ConsoleOverviewQueries(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	ConsoleOverview lastDay(String tenant, Instant now) {
		Instant end = now.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
		OffsetDateTime since = OffsetDateTime.ofInstant(end.minus(24, ChronoUnit.HOURS), ZoneOffset.UTC);
		Map<String, Object> totals = this.jdbc.queryForMap("select count(*) as requests,"
				+ " count(*) filter (where outcome <> 'success') as errors,"
				+ " coalesce(avg((metadata->>'latency_ms')::bigint), 0) as average,"
				+ " coalesce(percentile_cont(0.95) within group (order by (metadata->>'latency_ms')::bigint), 0) as p95"
				+ WHERE, tenant, since);
		Map<Instant, Long> perHour = new HashMap<>();
		this.jdbc.query("select date_trunc('hour', occurred_at) as hour, count(*) as requests" + WHERE + " group by 1",
				(rs) -> {
					perHour.put(rs.getObject("hour", OffsetDateTime.class).toInstant(), rs.getLong("requests"));
				}, tenant, since);
		List<long[]> hours = new ArrayList<>();
		for (int i = 23; i >= 0; i--) {
			Instant hour = end.minus(i + 1, ChronoUnit.HOURS);
			hours.add(new long[] { hour.getEpochSecond(), perHour.getOrDefault(hour, 0L) });
		}
		long peak = Math.max(1, hours.stream().mapToLong((hour) -> hour[1]).max().orElse(0));
		List<Bar> hourly = hours.stream()
			.map((hour) -> new Bar(Instant.ofEpochSecond(hour[0]).toString().substring(11, 16), hour[1],
					(int) (hour[1] * 100 / peak)))
			.toList();
		List<Map<String, Object>> models = this.jdbc
			.queryForList("select coalesce(resource_id, '-') as model, count(*) as requests" + WHERE
					+ " group by 1 order by 2 desc, 1 limit 5", tenant, since);
		long top = models.isEmpty() ? 1 : ((Number) models.getFirst().get("requests")).longValue();
		List<Bar> topModels = models.stream().map((row) -> {
			long count = ((Number) row.get("requests")).longValue();
			return new Bar((String) row.get("model"), count, (int) (count * 100 / top));
		}).toList();
		return new ConsoleOverview(((Number) totals.get("requests")).longValue(),
				((Number) totals.get("errors")).longValue(), Math.round(((Number) totals.get("average")).doubleValue()),
				Math.round(((Number) totals.get("p95")).doubleValue()), hourly, topModels);
	}

}
