package io.quiver.gateway.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import io.quiver.gateway.openai.OpenAiErrors;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;

/**
 * The two error dialects and how a request path picks one: {@code /v1/**} speaks OpenAI,
 * everything else ProblemDetail. A client of either never sees the other.
 */
public final class ErrorDialect {

	private ErrorDialect() {
	}

	/**
	 * @param path the request path (without context path)
	 * @return whether the path belongs to the OpenAI API
	 */
	public static boolean isOpenAi(String path) {
		return path != null && (path.equals("/v1") || path.startsWith("/v1/"));
	}

	/**
	 * Writes a failure for a request that no controller handled (filters, the container,
	 * unknown paths).
	 * @param path the request path
	 * @param response the response
	 * @param status the status
	 * @param message for a person; never a secret
	 * @throws IOException if the client is gone
	 */
	public static void write(String path, HttpServletResponse response, HttpStatus status, String message)
			throws IOException {
		if (isOpenAi(path)) {
			OpenAiErrors.write(response, status.value(), openAiType(status), openAiCode(status), null, message);
			return;
		}
		if (response.isCommitted()) {
			return;
		}
		response.resetBuffer();
		response.setStatus(status.value());
		response.setContentType("application/problem+json");
		String problem = "{\"type\":\"about:blank\",\"title\":" + OpenAiErrors.quote(status.getReasonPhrase())
				+ ",\"status\":" + status.value() + ",\"detail\":" + OpenAiErrors.quote(message) + ",\"instance\":"
				+ OpenAiErrors.quote(path) + "}";
		response.getOutputStream().write(problem.getBytes(StandardCharsets.UTF_8));
		response.flushBuffer();
	}

	static String openAiType(HttpStatus status) {
		return switch (status.value()) {
			case 401 -> "invalid_request_error";
			case 403 -> "permission_error";
			case 429 -> "rate_limit_error";
			default -> status.is5xxServerError() ? "server_error" : "invalid_request_error";
		};
	}

	static String openAiCode(HttpStatus status) {
		return switch (status.value()) {
			case 401 -> "invalid_api_key";
			case 404 -> "not_found";
			case 405 -> "method_not_allowed";
			case 413 -> "request_too_large";
			case 415 -> "unsupported_media_type";
			case 429 -> "rate_limit_exceeded";
			default -> null;
		};
	}

}
