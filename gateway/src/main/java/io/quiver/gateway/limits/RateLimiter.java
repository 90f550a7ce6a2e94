package io.quiver.gateway.limits;

import java.time.Duration;
import java.util.List;

/**
 * Counters with limits, shared by every request of a tenant or key. {@link #acquire} is
 * atomic over all the counters it is given: either every one has room and all are
 * charged, or none is.
 */
public interface RateLimiter {

	/**
	 * @param charges what to charge, each against its own limit
	 * @return which charge (if any) did not fit, and every counter's value afterwards
	 */
	Outcome acquire(List<Charge> charges);

	/**
	 * Adds to counters without checking limits: reconciles an estimate with what was
	 * really used (negative amounts give back), or releases a concurrency slot. A counter
	 * whose window has already ended is left alone.
	 * @param charges the counters and amounts
	 */
	void adjust(List<Charge> charges);

	/**
	 * @param key the counter, e.g. {@code quiver:{t:...}:rpm:29123456}
	 * @param limit the most it may hold
	 * @param amount what to add
	 * @param ttl how long the counter lives after its last change (its window)
	 */
	record Charge(String key, long limit, long amount, Duration ttl) {

		Charge withAmount(long amount) {
			return new Charge(this.key, this.limit, amount, this.ttl);
		}

	}

	/**
	 * @param refused the index of the first charge that did not fit, or -1 when all were
	 * charged
	 * @param values each counter's value after the call (before it, for a refusal)
	 */
	record Outcome(int refused, long[] values) {

		public boolean admitted() {
			return this.refused < 0;
		}

	}

}
