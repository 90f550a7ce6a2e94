package io.quiver.gateway.usage;

import java.nio.charset.StandardCharsets;

/**
 * Reads the token counts of an OpenAI {@code usage} object straight from the bytes of an
 * answer or a stream event, without parsing the rest.
 * <p>
 * The bytes {@code "usage"} followed by a colon can only be a key: inside a JSON string
 * every quote is escaped, so generated text can never look like one. The last such key
 * wins, since a worker writes {@code usage} after the choices.
 */
final class UsageScanner {

	private static final byte[] USAGE = "\"usage\"".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] PROMPT_TOKENS = "\"prompt_tokens\"".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] COMPLETION_TOKENS = "\"completion_tokens\"".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] CHOICES = "\"choices\"".getBytes(StandardCharsets.US_ASCII);

	private UsageScanner() {
	}

	/**
	 * @param bytes an answer or event
	 * @param from where it starts
	 * @param to where it ends (exclusive)
	 * @return the position of the {@code usage} object's opening brace, or -1
	 */
	static int usageObject(byte[] bytes, int from, int to) {
		for (int at = lastIndexOf(bytes, from, to, USAGE); at >= 0; at = lastIndexOf(bytes, from, at, USAGE)) {
			int brace = afterColon(bytes, at + USAGE.length, to);
			if (brace >= 0 && bytes[brace] == '{') {
				return brace;
			}
		}
		return -1;
	}

	/**
	 * @param bytes the bytes
	 * @param object where the usage object starts
	 * @param to where the bytes end (exclusive)
	 * @return {@code prompt_tokens}, or -1
	 */
	static long promptTokens(byte[] bytes, int object, int to) {
		return number(bytes, object, end(bytes, object, to), PROMPT_TOKENS);
	}

	/**
	 * @param bytes the bytes
	 * @param object where the usage object starts
	 * @param to where the bytes end (exclusive)
	 * @return {@code completion_tokens}, or -1
	 */
	static long completionTokens(byte[] bytes, int object, int to) {
		return number(bytes, object, end(bytes, object, to), COMPLETION_TOKENS);
	}

	/**
	 * @return whether the event's {@code choices} is an empty array: a usage-only chunk
	 */
	static boolean noChoices(byte[] bytes, int from, int to) {
		int at = lastIndexOf(bytes, from, to, CHOICES);
		if (at < 0) {
			return false;
		}
		int bracket = afterColon(bytes, at + CHOICES.length, to);
		if (bracket < 0 || bytes[bracket] != '[') {
			return false;
		}
		int next = skipSpace(bytes, bracket + 1, to);
		return next < to && bytes[next] == ']';
	}

	/**
	 * The end of the flat object that starts at {@code object} (usage nests one level at
	 * most).
	 */
	private static int end(byte[] bytes, int object, int to) {
		int depth = 0;
		for (int i = object; i < to; i++) {
			if (bytes[i] == '{') {
				depth++;
			}
			else if (bytes[i] == '}' && --depth == 0) {
				return i + 1;
			}
		}
		return to;
	}

	private static long number(byte[] bytes, int from, int to, byte[] key) {
		int at = indexOf(bytes, from, to, key);
		if (at < 0) {
			return -1;
		}
		int i = afterColon(bytes, at + key.length, to);
		if (i < 0) {
			return -1;
		}
		long value = 0;
		int digits = 0;
		while (i < to && bytes[i] >= '0' && bytes[i] <= '9' && digits < 12) {
			value = value * 10 + (bytes[i++] - '0');
			digits++;
		}
		return (digits > 0) ? value : -1;
	}

	/**
	 * @return the position of the first non-space byte after a colon, or -1
	 */
	private static int afterColon(byte[] bytes, int from, int to) {
		int i = skipSpace(bytes, from, to);
		if (i >= to || bytes[i] != ':') {
			return -1;
		}
		i = skipSpace(bytes, i + 1, to);
		return (i < to) ? i : -1;
	}

	private static int skipSpace(byte[] bytes, int from, int to) {
		int i = from;
		while (i < to && (bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\n' || bytes[i] == '\r')) {
			i++;
		}
		return i;
	}

	static int indexOf(byte[] bytes, int from, int to, byte[] needle) {
		outer: for (int i = from; i <= to - needle.length; i++) {
			for (int j = 0; j < needle.length; j++) {
				if (bytes[i + j] != needle[j]) {
					continue outer;
				}
			}
			return i;
		}
		return -1;
	}

	private static int lastIndexOf(byte[] bytes, int from, int to, byte[] needle) {
		outer: for (int i = to - needle.length; i >= from; i--) {
			for (int j = 0; j < needle.length; j++) {
				if (bytes[i + j] != needle[j]) {
					continue outer;
				}
			}
			return i;
		}
		return -1;
	}

}
