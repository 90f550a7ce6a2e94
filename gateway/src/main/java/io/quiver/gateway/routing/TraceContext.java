package io.quiver.gateway.routing;

import java.util.concurrent.ThreadLocalRandom;

/**
 * W3C Trace Context: the gateway is one hop of the caller's trace. A valid incoming
 * {@code traceparent} keeps its trace id and flags and gets a new parent id (this hop); a
 * missing or malformed one starts a new sampled trace.
 */
final class TraceContext {

	private static final char[] HEX = "0123456789abcdef".toCharArray();

	private TraceContext() {
	}

	/**
	 * @param incoming the caller's {@code traceparent}, or {@code null}
	 * @return the {@code traceparent} to send to the worker
	 */
	static String child(String incoming) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		char[] out = new char[55];
		out[0] = '0';
		out[1] = '0';
		out[2] = '-';
		if (valid(incoming)) {
			incoming.getChars(3, 35, out, 3);
			out[53] = incoming.charAt(53);
			out[54] = incoming.charAt(54);
		}
		else {
			hex(random.nextLong() | 1, out, 3);
			hex(random.nextLong(), out, 19);
			out[53] = '0';
			out[54] = '1';
		}
		out[35] = '-';
		hex(random.nextLong() | 1, out, 36);
		out[52] = '-';
		return new String(out);
	}

	static boolean valid(String value) {
		if (value == null || value.length() != 55 || value.charAt(2) != '-' || value.charAt(35) != '-'
				|| value.charAt(52) != '-' || value.startsWith("ff")) {
			return false;
		}
		boolean traceNonZero = false;
		boolean parentNonZero = false;
		for (int i = 0; i < 55; i++) {
			if (i == 2 || i == 35 || i == 52) {
				continue;
			}
			char c = value.charAt(i);
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
				return false;
			}
			if (c != '0' && i > 2 && i < 35) {
				traceNonZero = true;
			}
			if (c != '0' && i > 35 && i < 52) {
				parentNonZero = true;
			}
		}
		return traceNonZero && parentNonZero;
	}

	private static void hex(long value, char[] out, int at) {
		for (int i = 15; i >= 0; i--) {
			out[at + i] = HEX[(int) (value & 0xf)];
			value >>>= 4;
		}
	}

}
