package io.quiver.worker.api;

/**
 * An error answered in the OpenAI envelope
 * {@code {"error":{"message","type","param","code"}}}.
 */
class OpenAiException extends RuntimeException {

	private final int status;

	private final String type;

	private final String param;

	private final String code;

	OpenAiException(int status, String type, String param, String code, String message) {
		super(message);
		this.status = status;
		this.type = type;
		this.param = param;
		this.code = code;
	}

	static OpenAiException invalid(String param, String message) {
		return new OpenAiException(400, "invalid_request_error", param, null, message);
	}

	static OpenAiException modelNotFound(String model) {
		return new OpenAiException(404, "invalid_request_error", "model", "model_not_found",
				"The model `" + model + "` does not exist");
	}

	int status() {
		return this.status;
	}

	String type() {
		return this.type;
	}

	String param() {
		return this.param;
	}

	String code() {
		return this.code;
	}

}
