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
	 * Waits (bounded) until Spring's shutdown hook, if one runs, has finished. The JVM
	 * starts its hooks one after the other in no set order, so Spring's may not have
	 * started yet: it is looked for during a short grace period first.
	 * @param timeoutMillis the longest wait for it to finish
	 */
	public static void awaitSpringShutdown(long timeoutMillis) {
		long lookUntil = System.nanoTime() + 1_000_000_000L;
		while (true) {
			for (Thread thread : Thread.getAllStackTraces().keySet()) {
				if (SPRING_HOOK.equals(thread.getName()) && thread != Thread.currentThread()) {
					join(thread, timeoutMillis);
					return;
				}
			}
			if (System.nanoTime() - lookUntil >= 0) {
				return;
			}
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	private static void join(Thread thread, long timeoutMillis) {
		try {
			thread.join(timeoutMillis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
