package io.quiver.gateway.security;

import java.util.function.Predicate;

/**
 * The firewall's rules for header names and values, as Spring Security's
 * {@code StrictHttpFirewall} has them by default (every code point assigned and no
 * control character; a value may hold tabs), without a regular expression.
 * <p>
 * The firewall checks the name and the value of every header the application reads, each
 * time it reads it; matching the default patterns was a measurable share of a {@code /v1}
 * request's CPU. Printable ASCII, nearly every header there is, passes in one comparison
 * per character; anything else is judged code point by code point exactly as the patterns
 * judge it.
 */
final class HeaderCharacters {

	/** {@code [\p{IsAssigned}&&[^\p{IsControl}]]*} */
	static final Predicate<String> NAME = (name) -> allowed(name, false);

	/** {@code [\p{IsAssigned}&&[[^\p{IsControl}]||\t]]*} */
	static final Predicate<String> VALUE = (value) -> allowed(value, true);

	private HeaderCharacters() {
	}

	static boolean allowed(String text, boolean tab) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c >= 0x20 && c < 0x7f) {
				continue;
			}
			return allowedFrom(text, i, tab);
		}
		return true;
	}

	private static boolean allowedFrom(String text, int from, boolean tab) {
		for (int i = from; i < text.length();) {
			int codePoint = text.codePointAt(i);
			i += Character.charCount(codePoint);
			if (tab && codePoint == '\t') {
				continue;
			}
			int type = Character.getType(codePoint);
			if (type == Character.UNASSIGNED || type == Character.CONTROL) {
				return false;
			}
		}
		return true;
	}

}
