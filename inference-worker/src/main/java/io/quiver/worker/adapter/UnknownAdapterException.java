package io.quiver.worker.adapter;

/**
 * No adapter of that id is held, in the adapters folder, or named by a source.
 */
public class UnknownAdapterException extends AdapterException {

	public UnknownAdapterException(String id) {
		super("The model `" + id + "` does not exist");
	}

}
