package io.quiver.worker.engine;

/**
 * The engine cannot take a request now: its queue is full (429) or it is draining (503).
 */
public class EngineRejectedException extends RuntimeException {

	private final int status;

	private final String code;

	public EngineRejectedException(int status, String code, String message) {
		super(message);
		this.status = status;
		this.code = code;
	}

	public int status() {
		return this.status;
	}

	public String code() {
		return this.code;
	}

}
