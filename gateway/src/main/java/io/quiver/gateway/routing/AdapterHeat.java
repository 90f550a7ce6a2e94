package io.quiver.gateway.routing;

/**
 * How busy one adapter is: requests per second over the last few seconds, from two
 * counting windows (the current one and the previous one, weighted by how much of it
 * still overlaps), plus where to fetch the adapter from, as the last request said.
 */
final class AdapterHeat {

	static final long WINDOW_NANOS = 5_000_000_000L;

	private long windowStart;

	private int current;

	private int previous;

	private volatile String source;

	private volatile String sha256;

	private volatile String baseModel;

	private volatile long lastSeen;

	AdapterHeat(long now) {
		this.windowStart = now;
		this.lastSeen = now;
	}

	synchronized void hit(long now) {
		roll(now);
		this.current++;
		this.lastSeen = now;
	}

	synchronized double rate(long now) {
		roll(now);
		double overlap = 1 - (double) (now - this.windowStart) / WINDOW_NANOS;
		return (this.previous * Math.max(0, overlap) + this.current) / (WINDOW_NANOS / 1e9);
	}

	private void roll(long now) {
		long elapsed = now - this.windowStart;
		if (elapsed >= 2 * WINDOW_NANOS) {
			this.previous = 0;
			this.current = 0;
			this.windowStart = now;
		}
		else if (elapsed >= WINDOW_NANOS) {
			this.previous = this.current;
			this.current = 0;
			this.windowStart += WINDOW_NANOS;
		}
	}

	void source(String baseModel, String source, String sha256) {
		this.baseModel = baseModel;
		if (source != null) {
			this.source = source;
			this.sha256 = sha256;
		}
	}

	String source() {
		return this.source;
	}

	String sha256() {
		return this.sha256;
	}

	String baseModel() {
		return this.baseModel;
	}

	long lastSeen() {
		return this.lastSeen;
	}

}
