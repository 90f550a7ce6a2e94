package io.quiver.audit;

import java.util.Locale;

/**
 * How the actor proved who it is.
 */
public enum AuthMethod {

	API_KEY, JWT, PASSWORD, NONE;

	/**
	 * @return the value stored and exported, e.g. {@code jwt}
	 */
	public String wireValue() {
		return name().toLowerCase(Locale.ROOT);
	}

	public static AuthMethod fromWireValue(String value) {
		return valueOf(value.toUpperCase(Locale.ROOT));
	}

}
