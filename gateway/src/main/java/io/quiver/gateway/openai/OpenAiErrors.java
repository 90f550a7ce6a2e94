package io.quiver.gateway.openai;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServletResponse;

/**
 * Writes the OpenAI error envelope without a JSON library, so it works from filters and
 * error pages alike.
 */
public final class OpenAiErrors {

	private OpenAiErrors() {
	}

	/**
	 * @param type e.g. {@code invalid_request_error}
	 * @param code e.g. {@code invalid_api_key}, or {@code null}
	 * @param param the offending field, or {@code null}
	 * @param message for a person
	 * @return {@code {"error":{...}}} as JSON
	 */
	public static String envelope(String type, String code, String param, String message) {
		return "{\"error\":{\"message\":" + quote(message) + ",\"type\":" + quote(type) + ",\"param\":" + quote(param)
				+ ",\"code\":" + quote(code) + "}}";
	}

	/**
	 * Writes the envelope as the whole response, unless the response is already
	 * committed.
	 * @param response the response
	 * @param status the HTTP status
	 * @param type the error type
	 * @param code the error code, or {@code null}
	 * @param param the offending field, or {@code null}
	 * @param message for a person
	 * @throws IOException if the client is gone
	 */
	public static void write(HttpServletResponse response, int status, String type, String code, String param,
			String message) throws IOException {
		if (response.isCommitted()) {
			return;
		}
		response.resetBuffer();
		response.setStatus(status);
		response.setContentType("application/json");
		byte[] body = envelope(type, code, param, message).getBytes(StandardCharsets.UTF_8);
		response.setContentLength(body.length);
		response.getOutputStream().write(body);
		response.flushBuffer();
	}

	/**
	 * @param exception the failure
	 * @param response where to write it
	 * @throws IOException if the client is gone
	 */
	public static void write(HttpServletResponse response, OpenAiException exception) throws IOException {
		write(response, exception.status().value(), exception.type(), exception.code(), exception.param(),
				exception.getMessage());
	}

	/**
	 * @param value any string, or {@code null}
	 * @return it as a JSON string literal (or {@code null})
	 */
	public static String quote(String value) {
		if (value == null) {
			return "null";
		}
		StringBuilder out = new StringBuilder(value.length() + 2).append('"');
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				case '\n' -> out.append("\\n");
				case '\r' -> out.append("\\r");
				case '\t' -> out.append("\\t");
				default -> {
					if (c < 0x20) {
						out.append(String.format("\\u%04x", (int) c));
					}
					else {
						out.append(c);
					}
				}
			}
		}
		return out.append('"').toString();
	}

}
