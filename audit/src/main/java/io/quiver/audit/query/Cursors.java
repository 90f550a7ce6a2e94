package io.quiver.audit.query;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque cursors: the last sequence returned, so pages stay stable while events are
 * appended (keyset pagination, no offsets).
 */
final class Cursors {

	private static final String PREFIX = "seq:";

	private Cursors() {
	}

	static String encode(long sequence) {
		return Base64.getUrlEncoder()
			.withoutPadding()
			.encodeToString((PREFIX + sequence).getBytes(StandardCharsets.US_ASCII));
	}

	static long decode(String cursor) {
		if (cursor == null || cursor.isBlank()) {
			return 0;
		}
		try {
			String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
			if (!text.startsWith(PREFIX)) {
				throw new IllegalArgumentException("Not a cursor of this API: " + cursor);
			}
			return Long.parseLong(text.substring(PREFIX.length()));
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidCursorException(cursor, ex);
		}
	}

}
