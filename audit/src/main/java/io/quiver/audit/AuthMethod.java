package io.quiver.audit;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How the actor proved who it is.
 */
public enum AuthMethod {

	API_KEY, JWT, PASSWORD, NONE;

	/**
	 * @return the value stored and exported, e.g. {@code jwt}
	 */
	@JsonValue
	public String wireValue() {
		return name().toLowerCase(Locale.ROOT);
	}

	@JsonCreator
	public static AuthMethod fromWireValue(String value) {
		return valueOf(value.toUpperCase(Locale.ROOT));
	}

}
