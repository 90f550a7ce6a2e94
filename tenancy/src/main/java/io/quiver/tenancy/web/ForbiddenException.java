package io.quiver.tenancy.web;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A refusal inside the caller's own tenant (it may know the object exists).
 */
public class ForbiddenException extends ErrorResponseException {

	public ForbiddenException(String detail) {
		super(HttpStatus.FORBIDDEN, ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, detail), null);
	}

}
