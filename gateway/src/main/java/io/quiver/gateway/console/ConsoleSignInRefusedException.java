package io.quiver.gateway.console;

import org.springframework.security.core.AuthenticationException;

/**
 * A sign-in with an organisation's identity provider was refused, for one
 * {@link ConsoleSignInFailure}.
 */
class ConsoleSignInRefusedException extends AuthenticationException {

	private final ConsoleSignInFailure failure;

	ConsoleSignInRefusedException(ConsoleSignInFailure failure) {
		super(failure.reason());
		this.failure = failure;
	}

	ConsoleSignInFailure failure() {
		return this.failure;
	}

}
