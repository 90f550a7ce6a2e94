package io.quiver.audit;

import java.util.Locale;

/**
 * How the audited action ended: {@code denied} is an authorization refusal,
 * {@code failure} anything else that did not succeed.
 */
public enum AuditOutcome {

	SUCCESS, FAILURE, DENIED;

	public String wireValue() {
		return name().toLowerCase(Locale.ROOT);
	}

	public static AuditOutcome fromWireValue(String value) {
		return valueOf(value.toUpperCase(Locale.ROOT));
	}

}
