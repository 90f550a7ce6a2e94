package io.quiver.audit.query;

/**
 * A {@code cursor} parameter that this API did not hand out.
 */
public class InvalidCursorException extends IllegalArgumentException {

	InvalidCursorException(String cursor, Throwable cause) {
		super("Not a valid cursor: " + cursor, cause);
	}

}
