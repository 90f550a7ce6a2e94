package io.quiver.worker.model;

/**
 * Thrown when a model directory describes a model the engine cannot run.
 */
public class UnsupportedModelException extends RuntimeException {

	public UnsupportedModelException(String message) {
		super(message);
	}

}
