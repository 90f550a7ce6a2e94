package io.quiver.audit;

import io.quiver.audit.chain.JsonValues;

/**
 * Makes free text safe to store: PostgreSQL rejects NUL characters, and an unbounded user
 * agent must not bloat the trail.
 */
final class AuditText {

	private AuditText() {
	}

	static String clean(String value, int maxLength) {
		if (value == null) {
			return null;
		}
		return JsonValues.text((value.length() > maxLength) ? value.substring(0, maxLength) : value);
	}

}
