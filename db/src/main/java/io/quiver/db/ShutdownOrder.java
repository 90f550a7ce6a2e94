package io.quiver.db;

/**
 * Orders work done at JVM exit after Spring's. Spring closes its application contexts in
 * a shutdown hook of its own, and the JVM runs all hooks at once; a database stopped or
 * dropped by another hook meanwhile leaves the contexts' last writes (usage and audit
 * flushes, a final checkpoint) waiting for connections that never come.
 */
public final class ShutdownOrder {

	private static final String SPRING_HOOK = "SpringApplicationShutdownHook";

	private ShutdownOrder() {
	}

	/**
	 * Waits (bounded) until Spring's shutdown hook, if one runs, has finished.
	 * @param timeoutMillis the longest wait
	 */
	public static void awaitSpringShutdown(long timeoutMillis) {
		for (Thread thread : Thread.getAllStackTraces().keySet()) {
			if (SPRING_HOOK.equals(thread.getName()) && thread != Thread.currentThread()) {
				try {
					thread.join(timeoutMillis);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}
	}

}
