package io.quiver.gateway.openai;

import org.springframework.http.HttpStatus;

/**
 * A failure that a {@code /v1} caller sees as the OpenAI error envelope
 * {@code {"error":{"message","type","param","code"}}}.
 */
public class OpenAiException extends RuntimeException {

	private final HttpStatus status;

	private final String type;

	private final String code;

	private final String param;

	public OpenAiException(HttpStatus status, String type, String code, String param, String message) {
		super(message, null, false, false);
		this.status = status;
		this.type = type;
		this.code = code;
		this.param = param;
	}

	/**
	 * @param param the offending request field
	 * @param message what is wrong, for a person
	 * @return a 400 {@code invalid_request_error}
	 */
	public static OpenAiException invalidRequest(String param, String message) {
		return new OpenAiException(HttpStatus.BAD_REQUEST, "invalid_request_error", null, param, message);
	}

	/**
	 * @param model the model the caller asked for
	 * @return the 404 OpenAI answers for a model that does not exist or is not the
	 * caller's
	 */
	public static OpenAiException modelNotFound(String model) {
		return new OpenAiException(HttpStatus.NOT_FOUND, "invalid_request_error", "model_not_found", "model",
				"The model `" + model + "` does not exist or you do not have access to it.");
	}

	public HttpStatus status() {
		return this.status;
	}

	public String type() {
		return this.type;
	}

	public String code() {
		return this.code;
	}

	public String param() {
		return this.param;
	}

}
