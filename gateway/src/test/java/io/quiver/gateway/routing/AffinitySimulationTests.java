package io.quiver.gateway.routing;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Adapter affinity, measured: 60 adapters over 4 workers, Zipf-skewed traffic (s = 1.0,
 * the most popular adapter takes about a fifth), 16 requests in flight, each worker
 * holding at most 8 adapters on its device (LRU). Counts adapter loads (a request landing
 * on a worker that does not hold its adapter) per 1,000 requests, for the real router and
 * for random routing, on the same request sequence. Prints the figures.
 */
class AffinitySimulationTests {

	static final int ADAPTERS = 60;

	static final int WORKERS = 4;

	static final int DEVICE_SLOTS = 8;

	static final int REQUESTS = 50_000;

	static final int IN_FLIGHT = 16;

	/**
	 * The bound this design promises for this workload, with margin over the measured
	 * figure (about 190): with 32 device slots for 60 adapters some loads are
	 * unavoidable.
	 */
	static final double BOUND_PER_1000 = 250;

	@Test
	void whenTrafficIsSkewedThenRouterLoadsFarFewerAdaptersThanRandomRouting() {
		double routed = simulate(true, TestRouting.properties());
		double random = simulate(false, TestRouting.properties());
		System.out.printf("Affinity: %d adapters, %d workers x %d device slots, Zipf 1.0, %d in flight:%n", ADAPTERS,
				WORKERS, DEVICE_SLOTS, IN_FLIGHT);
		System.out.printf("  adapter loads per 1,000 requests: router %.1f, random %.1f (%.1fx fewer)%n", routed,
				random, random / routed);
		assertThat(routed).isLessThan(BOUND_PER_1000);
		assertThat(routed).isLessThan(random / 2);
	}

	private static double simulate(boolean useRouter, RoutingProperties properties) {
		AtomicLong clock = new AtomicLong(1);
		WorkerRouter router = TestRouting.router(properties, clock::get);
		List<Worker> workers = TestRouting.pool(WORKERS, "base");
		List<LinkedHashMap<String, Boolean>> caches = new ArrayList<>();
		for (int i = 0; i < WORKERS; i++) {
			caches.add(new LinkedHashMap<>(16, 0.75f, true));
		}
		double[] cumulative = zipf(ADAPTERS, 1.0);
		Random random = new Random(42);
		Random choice = new Random(7);
		ArrayDeque<Running> running = new ArrayDeque<>();
		int loads = 0;
		for (int request = 0; request < REQUESTS; request++) {
			// 1,000 requests per simulated second.
			clock.addAndGet(1_000_000);
			while (running.size() >= IN_FLIGHT) {
				running.poll().worker.release();
			}
			String adapter = "t/a" + pick(cumulative, random.nextDouble()) + "@v1";
			Worker worker = useRouter ? router.route(workers, "base", adapter, null).worker()
					: workers.get(choice.nextInt(WORKERS));
			int index = workers.indexOf(worker);
			LinkedHashMap<String, Boolean> cache = caches.get(index);
			if (cache.get(adapter) == null) {
				loads++;
				cache.put(adapter, Boolean.TRUE);
				if (cache.size() > DEVICE_SLOTS) {
					cache.remove(cache.keySet().iterator().next());
				}
				TestRouting.holds(worker, cache.keySet());
			}
			worker.acquire();
			// Requests finish out of order: a random one of those in flight completes.
			running.add(new Running(worker));
			if (random.nextInt(4) == 0 && !running.isEmpty()) {
				running.poll().worker.release();
			}
		}
		return loads * 1000.0 / REQUESTS;
	}

	private static double[] zipf(int n, double s) {
		double[] weights = new double[n];
		double sum = 0;
		for (int i = 0; i < n; i++) {
			sum += 1 / Math.pow(i + 1, s);
			weights[i] = sum;
		}
		for (int i = 0; i < n; i++) {
			weights[i] /= sum;
		}
		return weights;
	}

	private static int pick(double[] cumulative, double u) {
		for (int i = 0; i < cumulative.length; i++) {
			if (u <= cumulative[i]) {
				return i;
			}
		}
		return cumulative.length - 1;
	}

	private record Running(Worker worker) {
	}

}
