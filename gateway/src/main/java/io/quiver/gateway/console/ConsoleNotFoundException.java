package io.quiver.gateway.console;

/**
 * A console page that does not exist for the signed-in user: a missing tenant, key or
 * event, and equally another tenant's, so nothing reveals what exists elsewhere.
 */
class ConsoleNotFoundException extends RuntimeException {

	ConsoleNotFoundException() {
		super("Not Found", null, false, false);
	}

}
