package io.quiver.worker.api;

import io.quiver.worker.engine.EngineRejectedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Answers every failure of the worker's API in the OpenAI error envelope.
 */
@RestControllerAdvice
class OpenAiErrors {

	private static final Logger logger = LoggerFactory.getLogger(OpenAiErrors.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	static String envelope(String type, String param, String code, String message) {
		ObjectNode root = JSON.createObjectNode();
		ObjectNode error = root.putObject("error");
		error.put("message", message);
		error.put("type", type);
		error.put("param", param);
		error.put("code", code);
		return JSON.writeValueAsString(root);
	}

	static ResponseEntity<String> response(int status, String type, String param, String code, String message) {
		return ResponseEntity.status(status)
			.contentType(MediaType.APPLICATION_JSON)
			.body(envelope(type, param, code, message));
	}

	@ExceptionHandler(OpenAiException.class)
	ResponseEntity<String> openAi(OpenAiException ex) {
		return response(ex.status(), ex.type(), ex.param(), ex.code(), ex.getMessage());
	}

	@ExceptionHandler(EngineRejectedException.class)
	ResponseEntity<String> rejected(EngineRejectedException ex) {
		String type = (ex.status() == 429) ? "rate_limit_exceeded" : "service_unavailable";
		return ResponseEntity.status(ex.status())
			.header(HttpHeaders.RETRY_AFTER, "1")
			.contentType(MediaType.APPLICATION_JSON)
			.body(envelope(type, null, ex.code(), ex.getMessage()));
	}

	@ExceptionHandler(NoResourceFoundException.class)
	ResponseEntity<String> notFound(NoResourceFoundException ex) {
		return response(404, "invalid_request_error", null, "not_found", "Unknown path " + ex.getResourcePath());
	}

	@ExceptionHandler(HttpRequestMethodNotSupportedException.class)
	ResponseEntity<String> method(HttpRequestMethodNotSupportedException ex) {
		return response(405, "invalid_request_error", null, "method_not_allowed", ex.getMessage());
	}

	@ExceptionHandler(HttpMediaTypeNotSupportedException.class)
	ResponseEntity<String> mediaType(HttpMediaTypeNotSupportedException ex) {
		return response(415, "invalid_request_error", null, "unsupported_media_type", ex.getMessage());
	}

	@ExceptionHandler(IllegalArgumentException.class)
	ResponseEntity<String> badArgument(IllegalArgumentException ex) {
		return response(400, "invalid_request_error", null, null, ex.getMessage());
	}

	@ExceptionHandler(Exception.class)
	ResponseEntity<String> unexpected(Exception ex) {
		logger.error("Unexpected failure", ex);
		return response(500, "server_error", null, null, "The worker failed to serve this request");
	}

}
