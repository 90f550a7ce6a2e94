package io.quiver.audit;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How the audited action ended: {@code denied} is an authorization refusal,
 * {@code failure} anything else that did not succeed.
 */
public enum AuditOutcome {

	SUCCESS, FAILURE, DENIED;

	@JsonValue
	public String wireValue() {
		return name().toLowerCase(Locale.ROOT);
	}

	@JsonCreator
	public static AuditOutcome fromWireValue(String value) {
		return valueOf(value.toUpperCase(Locale.ROOT));
	}

}
