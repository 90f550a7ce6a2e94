package io.quiver.audit.query;

import java.time.format.DateTimeParseException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Answers every error of the audit admin API as an RFC 9457 problem.
 */
@RestControllerAdvice(assignableTypes = AuditAdminController.class)
class AuditProblemHandler extends ResponseEntityExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(AuditProblemHandler.class);

	@ExceptionHandler({ IllegalArgumentException.class, DateTimeParseException.class })
	ProblemDetail badRequest(RuntimeException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
		problem.setTitle("Invalid audit request");
		return problem;
	}

	@ExceptionHandler(DataAccessException.class)
	ProblemDetail unavailable(DataAccessException ex) {
		log.warn("Audit store unavailable: {}", ex.getClass().getSimpleName());
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
				"The audit store is not available; try again later.");
		problem.setTitle("Audit store unavailable");
		return problem;
	}

}
