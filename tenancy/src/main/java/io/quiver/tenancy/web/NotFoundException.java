package io.quiver.tenancy.web;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * The one answer for anything that does not exist or belongs to another tenant: the two
 * cases must look the same to the caller.
 */
public class NotFoundException extends ErrorResponseException {

	public NotFoundException() {
		super(HttpStatus.NOT_FOUND, ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "Not Found"), null);
	}

}
