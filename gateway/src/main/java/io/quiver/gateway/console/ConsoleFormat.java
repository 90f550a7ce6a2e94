package io.quiver.gateway.console;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.stereotype.Component;

/**
 * How the templates write values ({@code ${@consoleFormat.time(...)}}): times in UTC to
 * the minute or second, collections and maps in one short line.
 */
@Component("consoleFormat")
class ConsoleFormat {

	private static final DateTimeFormatter MINUTES = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
		.withZone(ZoneOffset.UTC);

	private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
		.withZone(ZoneOffset.UTC);

	public String time(Instant instant) {
		return (instant != null) ? MINUTES.format(instant) : "";
	}

	public String precise(Instant instant) {
		return (instant != null) ? SECONDS.format(instant) : "";
	}

	/**
	 * @param value a value of an event's changes or metadata
	 * @return it in one line: lists comma-separated, maps as {@code key=value}
	 */
	public String value(Object value) {
		if (value == null) {
			return "—";
		}
		if (value instanceof Collection<?> items) {
			return items.stream().map(this::value).collect(Collectors.joining(", "));
		}
		if (value instanceof Map<?, ?> map) {
			return map.entrySet()
				.stream()
				.map((entry) -> entry.getKey() + "=" + value(entry.getValue()))
				.collect(Collectors.joining(", "));
		}
		return String.valueOf(value);
	}

	public String sorted(Collection<String> values) {
		return values.stream().sorted().collect(Collectors.joining(", "));
	}

	/**
	 * @param before the values before a change, or {@code null}
	 * @param after the values after it, or {@code null}
	 * @return every field either side names, in order, each once
	 */
	public List<String> fields(Map<String, ?> before, Map<String, ?> after) {
		Set<String> fields = new LinkedHashSet<>();
		if (before != null) {
			fields.addAll(before.keySet());
		}
		if (after != null) {
			fields.addAll(after.keySet());
		}
		return List.copyOf(fields);
	}

}
