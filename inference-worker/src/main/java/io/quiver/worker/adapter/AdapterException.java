package io.quiver.worker.adapter;

/**
 * An adapter could not be used: missing, unreadable, not matching the base model, or its
 * digest differs from the one the request named.
 */
public class AdapterException extends RuntimeException {

	public AdapterException(String message) {
		super(message);
	}

	public AdapterException(String message, Throwable cause) {
		super(message, cause);
	}

}
