package io.quiver.audit;

import java.util.Locale;

/**
 * Who or what acted.
 */
public enum ActorType {

	USER, API_KEY, SERVICE_ACCOUNT, SYSTEM, ANONYMOUS;

	/**
	 * @return the value stored and exported, e.g. {@code api_key}
	 */
	public String wireValue() {
		return name().toLowerCase(Locale.ROOT);
	}

	public static ActorType fromWireValue(String value) {
		return valueOf(value.toUpperCase(Locale.ROOT));
	}

}
