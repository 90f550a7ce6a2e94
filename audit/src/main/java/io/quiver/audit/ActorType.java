package io.quiver.audit;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Who or what acted.
 */
public enum ActorType {

	USER, API_KEY, SERVICE_ACCOUNT, SYSTEM, ANONYMOUS;

	/**
	 * @return the value stored and exported, e.g. {@code api_key}
	 */
	@JsonValue
	public String wireValue() {
		return name().toLowerCase(Locale.ROOT);
	}

	@JsonCreator
	public static ActorType fromWireValue(String value) {
		return valueOf(value.toUpperCase(Locale.ROOT));
	}

}
