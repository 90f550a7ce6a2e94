package io.quiver.gateway.limits;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Counters held in this process: exact for one gateway replica, and the fallback when
 * Redis cannot be reached.
 */
public final class InMemoryRateLimiter implements RateLimiter {

	private static final int MAX_COUNTERS = 1_000_000;

	private final Map<String, Counter> counters = new HashMap<>();

	@Override
	public synchronized Outcome acquire(List<Charge> charges) {
		long now = System.nanoTime();
		long[] values = new long[charges.size()];
		for (int i = 0; i < charges.size(); i++) {
			Charge charge = charges.get(i);
			long used = current(charge.key(), now);
			values[i] = used;
			if (charge.amount() > 0 && used + charge.amount() > charge.limit()) {
				return new Outcome(i, values);
			}
		}
		if (this.counters.size() > MAX_COUNTERS) {
			this.counters.values().removeIf((counter) -> counter.expiresAt - now < 0);
		}
		for (int i = 0; i < charges.size(); i++) {
			values[i] = add(charges.get(i), now, true);
		}
		return new Outcome(-1, values);
	}

	@Override
	public synchronized void adjust(List<Charge> charges) {
		long now = System.nanoTime();
		for (Charge charge : charges) {
			add(charge, now, false);
		}
	}

	private long current(String key, long now) {
		Counter counter = this.counters.get(key);
		return (counter == null || counter.expiresAt - now < 0) ? 0 : counter.value;
	}

	private long add(Charge charge, long now, boolean create) {
		Counter counter = this.counters.get(charge.key());
		if (counter == null || counter.expiresAt - now < 0) {
			if (!create) {
				return 0;
			}
			counter = new Counter();
			this.counters.put(charge.key(), counter);
		}
		if (create) {
			counter.expiresAt = now + charge.ttl().toNanos();
		}
		counter.value = Math.max(0, counter.value + charge.amount());
		return counter.value;
	}

	private static final class Counter {

		private long value;

		private long expiresAt;

	}

}
