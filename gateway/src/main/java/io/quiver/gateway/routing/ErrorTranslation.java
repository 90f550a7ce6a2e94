package io.quiver.gateway.routing;

import java.nio.charset.StandardCharsets;

import io.quiver.gateway.openai.OpenAiErrors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Makes a worker's error answer speak the OpenAI envelope. A Quiver worker already does;
 * vLLM (before 0.10) answers {@code {"object":"error","message","type","param","code"}}
 * at the top level, which OpenAI clients do not understand. Only error answers pass
 * through here, so parsing them costs nothing on the happy path.
 */
final class ErrorTranslation {

	private ErrorTranslation() {
	}

	/**
	 * @param json the mapper
	 * @param status the worker's HTTP status (4xx)
	 * @param body the worker's answer, a JSON object
	 * @return an OpenAI envelope with the worker's message, type and param where it gave
	 * them
	 */
	static byte[] toOpenAi(JsonMapper json, int status, byte[] body) {
		JsonNode root;
		try {
			root = json.readTree(body);
		}
		catch (JacksonException ex) {
			root = null;
		}
		if (root != null && root.path("error").isObject() && root.path("error").path("message").isString()) {
			return body;
		}
		String message = (root != null && root.path("message").isString()) ? root.path("message").asString()
				: "The inference worker refused the request.";
		String param = (root != null && root.path("param").isString()) ? root.path("param").asString() : null;
		String type = switch (status) {
			case 401 -> "authentication_error";
			case 403 -> "permission_error";
			case 429 -> "rate_limit_error";
			default -> "invalid_request_error";
		};
		String code = (status == 404) ? "model_not_found" : null;
		return OpenAiErrors.envelope(type, code, param, message).getBytes(StandardCharsets.UTF_8);
	}

}
