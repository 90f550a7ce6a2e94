package io.quiver.audit.chain;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Brings free-form values (metadata, changes) into the one shape that survives a round
 * trip through PostgreSQL {@code jsonb} unchanged, so that the hash computed on insert is
 * the hash recomputed on verification: maps with text keys in sorted order, lists, text
 * without NUL, booleans, {@code null}, integers as {@link Long} and other numbers as
 * {@link BigDecimal} without trailing zeros. Anything else (instants, ids, enums) becomes
 * its text form; NaN and infinities, which JSON cannot hold, become text too.
 */
public final class JsonValues {

	private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);

	private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

	private JsonValues() {
	}

	/**
	 * @param map any map
	 * @return an unmodifiable, sorted, normalized copy ({@code null} stays {@code null})
	 */
	@SuppressWarnings("unchecked")
	public static Map<String, Object> normalizeMap(Map<String, ?> map) {
		return (map != null) ? (Map<String, Object>) normalize(map) : null;
	}

	public static Object normalize(Object value) {
		if (value == null || value instanceof Boolean || value instanceof Long) {
			return value;
		}
		if (value instanceof String text) {
			return text(text);
		}
		if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
			return ((Number) value).longValue();
		}
		if (value instanceof Double || value instanceof Float) {
			double number = ((Number) value).doubleValue();
			if (Double.isNaN(number) || Double.isInfinite(number)) {
				return Double.toString(number);
			}
			return number(BigDecimal.valueOf(number));
		}
		if (value instanceof BigInteger integer) {
			return number(new BigDecimal(integer));
		}
		if (value instanceof BigDecimal decimal) {
			return number(decimal);
		}
		if (value instanceof Number number) {
			return number(new BigDecimal(number.toString()));
		}
		if (value instanceof Map<?, ?> map) {
			TreeMap<String, Object> sorted = new TreeMap<>();
			map.forEach((k, v) -> sorted.put(String.valueOf(k), normalize(v)));
			return Collections.unmodifiableSortedMap(sorted);
		}
		if (value instanceof Iterable<?> iterable) {
			List<Object> list = new ArrayList<>();
			iterable.forEach((v) -> list.add(normalize(v)));
			return Collections.unmodifiableList(list);
		}
		if (value instanceof Object[] array) {
			return normalize(List.of(array));
		}
		return normalize(value.toString());
	}

	/**
	 * @param text any text
	 * @return the text without NUL characters and with unpaired surrogates replaced, both
	 * of which PostgreSQL refuses to store
	 */
	public static String text(String text) {
		if (text == null) {
			return null;
		}
		StringBuilder out = null;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
					&& Character.isLowSurrogate(text.charAt(i + 1));
			boolean bad = c == '\0' || (Character.isSurrogate(c) && !paired);
			if (bad && out == null) {
				out = new StringBuilder(text.length()).append(text, 0, i);
			}
			if (out != null) {
				if (c != '\0') {
					out.append(bad ? '\uFFFD' : c);
				}
				if (paired) {
					out.append(text.charAt(++i));
				}
			}
			else if (paired) {
				i++;
			}
		}
		return (out != null) ? out.toString() : text;
	}

	private static Object number(BigDecimal decimal) {
		BigDecimal stripped = (decimal.signum() == 0) ? BigDecimal.ZERO : decimal.stripTrailingZeros();
		if (stripped.scale() <= 0 && stripped.compareTo(LONG_MIN) >= 0 && stripped.compareTo(LONG_MAX) <= 0) {
			return stripped.longValueExact();
		}
		return stripped;
	}

}
