package io.quiver.gateway.web;

import io.quiver.gateway.openai.OpenAiErrors;
import io.quiver.gateway.openai.OpenAiException;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.TypeMismatchException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Turns every exception a controller throws into its caller's dialect. Unexpected
 * exceptions become a 500 that says nothing of the internals; their details go to the log
 * under the request's id.
 */
@RestControllerAdvice
class ApiExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

	@ExceptionHandler(OpenAiException.class)
	ResponseEntity<String> openAi(OpenAiException ex) {
		return ResponseEntity.status(ex.status())
			.header("Content-Type", "application/json")
			.body(OpenAiErrors.envelope(ex.type(), ex.code(), ex.param(), ex.getMessage()));
	}

	@ExceptionHandler(IllegalArgumentException.class)
	ResponseEntity<?> badInput(IllegalArgumentException ex, HttpServletRequest request) {
		return respond(request, HttpStatus.BAD_REQUEST, ex.getMessage());
	}

	/**
	 * A body or parameter that cannot be read. The parser's own message is not passed on:
	 * it may quote the body, and the body may hold a secret.
	 */
	@ExceptionHandler({ HttpMessageNotReadableException.class, TypeMismatchException.class })
	ResponseEntity<?> unreadable(Exception ex, HttpServletRequest request) {
		return respond(request, HttpStatus.BAD_REQUEST,
				"The request could not be read; check its JSON body and parameters.");
	}

	/** Two requests raced for the same name; the loser learns it is taken. */
	@ExceptionHandler(DataIntegrityViolationException.class)
	ResponseEntity<?> conflict(DataIntegrityViolationException ex, HttpServletRequest request) {
		return respond(request, HttpStatus.CONFLICT, "The request conflicts with existing data.");
	}

	@ExceptionHandler(Exception.class)
	ResponseEntity<?> unexpected(Exception ex, HttpServletRequest request) {
		if (ex instanceof ErrorResponse error) {
			// Spring MVC's own refusals (unknown path, wrong method, unreadable body)
			// carry their status.
			return respond(request, error.getStatusCode(), error.getBody().getDetail());
		}
		log.error("Unhandled failure on {} {}", request.getMethod(), request.getRequestURI(), ex);
		return respond(request, HttpStatus.INTERNAL_SERVER_ERROR, "The server had an error processing your request.");
	}

	private static ResponseEntity<?> respond(HttpServletRequest request, HttpStatusCode status, String message) {
		HttpStatus resolved = HttpStatus.valueOf(status.value());
		if (ErrorDialect.isOpenAi(request.getRequestURI())) {
			return ResponseEntity.status(status)
				.header("Content-Type", "application/json")
				.body(OpenAiErrors.envelope(ErrorDialect.openAiType(resolved), ErrorDialect.openAiCode(resolved), null,
						message));
		}
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, message);
		return ResponseEntity.status(status).header("Content-Type", "application/problem+json").body(problem);
	}

}
