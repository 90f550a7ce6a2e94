package io.quiver.worker.tensor;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

/**
 * Starts DJL's PyTorch engine from the native library bundled in the
 * {@code pytorch-native-cpu} jar, never from the network.
 */
public final class Torch {

	private Torch() {
	}

	/**
	 * Loads the PyTorch engine (once per JVM) in offline mode.
	 * @return the engine
	 */
	public static synchronized Engine engine() {
		// DJL reads this switch from system properties only; without it a missing
		// native library would be fetched from the network.
		if (System.getProperty("ai.djl.offline") == null) {
			System.setProperty("ai.djl.offline", "true");
		}
		return Engine.getEngine("PyTorch");
	}

	/**
	 * A fresh root manager on the PyTorch engine's CPU device.
	 * @return the manager; close it to free everything created under it
	 */
	public static NDManager newManager() {
		return engine().newBaseManager();
	}

}
