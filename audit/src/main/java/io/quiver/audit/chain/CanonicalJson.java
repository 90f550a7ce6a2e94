package io.quiver.audit.chain;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The canonical JSON that the chain hashes: keys sorted by UTF-16 code units, no
 * whitespace, minimal string escapes, numbers in plain notation (the spirit of RFC 8785
 * for the value shapes {@link JsonValues} produces). Two equal documents always give the
 * same bytes, whatever produced them.
 */
public final class CanonicalJson {

	private CanonicalJson() {
	}

	public static String write(Object value) {
		StringBuilder out = new StringBuilder(512);
		write(value, out);
		return out.toString();
	}

	public static void write(Object value, StringBuilder out) {
		switch (value) {
			case null -> out.append("null");
			case String text -> string(text, out);
			case Boolean bool -> out.append(bool);
			case Long number -> out.append(number);
			case Integer number -> out.append(number);
			case BigDecimal number -> out.append(number.toPlainString());
			case Map<?, ?> map -> object(map, out);
			case List<?> list -> array(list, out);
			default -> throw new IllegalArgumentException("Not a normalized JSON value: " + value.getClass());
		}
	}

	private static void object(Map<?, ?> map, StringBuilder out) {
		Map<?, ?> sorted = (map instanceof SortedMap<?, ?> already && already.comparator() == null) ? map
				: new TreeMap<>(map);
		out.append('{');
		boolean first = true;
		for (Map.Entry<?, ?> entry : sorted.entrySet()) {
			if (!first) {
				out.append(',');
			}
			first = false;
			string((String) entry.getKey(), out);
			out.append(':');
			write(entry.getValue(), out);
		}
		out.append('}');
	}

	private static void array(List<?> list, StringBuilder out) {
		out.append('[');
		for (int i = 0; i < list.size(); i++) {
			if (i > 0) {
				out.append(',');
			}
			write(list.get(i), out);
		}
		out.append(']');
	}

	private static void string(String text, StringBuilder out) {
		out.append('"');
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				case '\b' -> out.append("\\b");
				case '\f' -> out.append("\\f");
				case '\n' -> out.append("\\n");
				case '\r' -> out.append("\\r");
				case '\t' -> out.append("\\t");
				default -> {
					if (c < 0x20) {
						out.append(String.format("\\u%04x", (int) c));
					}
					else {
						out.append(c);
					}
				}
			}
		}
		out.append('"');
	}

}
