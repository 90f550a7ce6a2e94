package io.quiver.gateway.routing;

import java.net.URI;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One inference worker as the gateway sees it: where it is, which base models it serves,
 * whether it answered its last poll, and how many requests the gateway has in flight to
 * it.
 */
public final class Worker {

	private final URI baseUri;

	private final AtomicInteger inFlight = new AtomicInteger();

	private volatile Set<String> models = Set.of();

	private volatile boolean up;

	Worker(URI baseUri) {
		this.baseUri = baseUri;
	}

	public URI baseUri() {
		return this.baseUri;
	}

	public Set<String> models() {
		return this.models;
	}

	public boolean isUp() {
		return this.up;
	}

	public int inFlight() {
		return this.inFlight.get();
	}

	void markUp(Set<String> models) {
		this.models = Set.copyOf(models);
		this.up = true;
	}

	void markDown() {
		this.up = false;
	}

	void acquire() {
		this.inFlight.incrementAndGet();
	}

	void release() {
		this.inFlight.decrementAndGet();
	}

	@Override
	public String toString() {
		return this.baseUri.toString();
	}

}
