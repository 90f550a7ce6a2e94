package io.quiver.gateway.routing;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Graceful drain on gateway shutdown: first of all (highest phase), new generation
 * requests are refused with a 503 that tells the client to retry (another replica takes
 * it), requests waiting for a worker are released, and streams in flight are given
 * {@code drainTimeout} to finish; only then does the web server's own graceful shutdown
 * (which stops accepting connections) and the rest of the context go down.
 */
class RoutingDrain implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(RoutingDrain.class);

	private final InferenceProxy proxy;

	private final WorkerPool pool;

	private final Duration timeout;

	private volatile boolean running;

	RoutingDrain(InferenceProxy proxy, WorkerPool pool, Duration timeout) {
		this.proxy = proxy;
		this.pool = pool;
		this.timeout = timeout;
	}

	@Override
	public void start() {
		this.proxy.resume();
		this.pool.resumeWaiting();
		this.running = true;
	}

	@Override
	public void stop() {
		this.proxy.drain();
		this.pool.refuseWaiting();
		long deadline = System.nanoTime() + this.timeout.toNanos();
		int active = this.proxy.active();
		if (active > 0) {
			log.info("Draining: waiting up to {} for {} requests in flight", this.timeout, active);
		}
		while (this.proxy.active() > 0 && System.nanoTime() - deadline < 0) {
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		if (this.proxy.active() > 0) {
			log.warn("Drain timed out with {} requests still in flight", this.proxy.active());
		}
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return Integer.MAX_VALUE;
	}

}
