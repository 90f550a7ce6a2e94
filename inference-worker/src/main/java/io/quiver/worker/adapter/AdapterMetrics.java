package io.quiver.worker.adapter;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of adapter loads, evictions and hits by tier, read by the metrics endpoint.
 */
public final class AdapterMetrics {

	private final AtomicLong loads = new AtomicLong();

	private final AtomicLong loadNanos = new AtomicLong();

	private final AtomicLong failures = new AtomicLong();

	private final AtomicLong hostHits = new AtomicLong();

	private final AtomicLong deviceHits = new AtomicLong();

	private final AtomicLong hostEvictions = new AtomicLong();

	private final AtomicLong deviceEvictions = new AtomicLong();

	void loaded(long nanos) {
		this.loads.incrementAndGet();
		this.loadNanos.addAndGet(nanos);
	}

	void failed() {
		this.failures.incrementAndGet();
	}

	void hit(AdapterTier tier) {
		(tier == AdapterTier.DEVICE ? this.deviceHits : this.hostHits).incrementAndGet();
	}

	void evicted(AdapterTier tier) {
		(tier == AdapterTier.DEVICE ? this.deviceEvictions : this.hostEvictions).incrementAndGet();
	}

	public long loads() {
		return this.loads.get();
	}

	public double loadSeconds() {
		return this.loadNanos.get() / 1e9;
	}

	public long failures() {
		return this.failures.get();
	}

	public long hits(AdapterTier tier) {
		return (tier == AdapterTier.DEVICE ? this.deviceHits : this.hostHits).get();
	}

	public long evictions(AdapterTier tier) {
		return (tier == AdapterTier.DEVICE ? this.deviceEvictions : this.hostEvictions).get();
	}

}
