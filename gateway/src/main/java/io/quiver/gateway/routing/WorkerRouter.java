package io.quiver.gateway.routing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

import io.quiver.gateway.openai.OpenAiException;

import org.springframework.http.HttpStatus;

/**
 * Chooses a worker for a request, adapter-aware:
 * <ol>
 * <li>a base-model request goes to the least loaded ready worker;</li>
 * <li>an adapter request goes to the least loaded ready worker that already holds the
 * adapter and has room ({@code hit});</li>
 * <li>else to the least loaded of the adapter's k home workers that has room
 * ({@code placed}): the k workers with the highest rendezvous hash of (adapter, worker),
 * so an adapter lives on few workers instead of thrashing every cache in the pool, and a
 * worker joining or leaving moves only the adapters it wins or loses. k starts at
 * {@code homeWorkers} and grows with the adapter's request rate;</li>
 * <li>else, every home full, to the least loaded ready worker ({@code spilled}).</li>
 * </ol>
 * Allocation-light: one pass over the pool, a small array for the top k.
 */
public class WorkerRouter {

	private static final int MAX_TRACKED_ADAPTERS = 100_000;

	private final WorkerPool pool;

	private final RoutingProperties properties;

	private final Map<String, AdapterHeat> heat = new ConcurrentHashMap<>();

	private final LongSupplier clock;

	WorkerRouter(WorkerPool pool, RoutingProperties properties) {
		this(pool, properties, System::nanoTime);
	}

	WorkerRouter(WorkerPool pool, RoutingProperties properties, LongSupplier clock) {
		this.pool = pool;
		this.properties = properties;
		this.clock = clock;
	}

	/**
	 * Chooses a worker, waiting (bounded) while none is ready.
	 * @param baseModel the base model the request needs
	 * @param adapterId the adapter ({@code <tenant>/<name>@<version>}), or {@code null}
	 * for the base model itself
	 * @return the decision
	 * @throws OpenAiException 503 when no worker became ready in time
	 */
	public RoutingDecision route(String baseModel, String adapterId) {
		RoutingDecision decision = route(this.pool.workers(), baseModel, adapterId, null);
		if (decision == null && this.pool.awaitModel(baseModel)) {
			decision = route(this.pool.workers(), baseModel, adapterId, null);
		}
		if (decision == null) {
			throw new OpenAiException(HttpStatus.SERVICE_UNAVAILABLE, "server_error", "no_worker_available", null,
					"No inference worker is available for this model right now. Please retry shortly.");
		}
		return decision;
	}

	/**
	 * @param workers the pool to choose from
	 * @param baseModel the base model
	 * @param adapterId the adapter, or {@code null}
	 * @param excluded workers already tried for this request, or {@code null}
	 * @return the decision, or {@code null} when no ready worker serves the model
	 */
	RoutingDecision route(List<Worker> workers, String baseModel, String adapterId, List<Worker> excluded) {
		int n = workers.size();
		ThreadLocalRandom random = ThreadLocalRandom.current();
		Worker leastLoaded = null;
		int leastLoad = Integer.MAX_VALUE;
		int leastTies = 0;
		Worker bestHolder = null;
		int holderLoad = Integer.MAX_VALUE;
		int holderTies = 0;
		int ready = 0;
		for (int i = 0; i < n; i++) {
			Worker worker = workers.get(i);
			if (!eligible(worker, baseModel, excluded)) {
				continue;
			}
			ready++;
			int load = worker.load();
			// Equally loaded workers are chosen among evenly: the k-th tie replaces the
			// choice with probability 1/k.
			if (load < leastLoad) {
				leastLoaded = worker;
				leastLoad = load;
				leastTies = 1;
			}
			else if (load == leastLoad && random.nextInt(++leastTies) == 0) {
				leastLoaded = worker;
			}
			if (adapterId != null && worker.status().holds(adapterId) && hasRoom(worker)) {
				if (load < holderLoad) {
					bestHolder = worker;
					holderLoad = load;
					holderTies = 1;
				}
				else if (load == holderLoad && random.nextInt(++holderTies) == 0) {
					bestHolder = worker;
				}
			}
		}
		if (leastLoaded == null) {
			return null;
		}
		if (adapterId == null) {
			return new RoutingDecision(leastLoaded, RouteOutcome.BASE);
		}
		long now = this.clock.getAsLong();
		AdapterHeat adapter = heat(adapterId, now);
		adapter.hit(now);
		if (bestHolder != null) {
			return new RoutingDecision(bestHolder, RouteOutcome.HIT);
		}
		Worker[] homes = homes(workers, baseModel, adapterId, excluded, Math.min(ready, homeCount(adapter, now)));
		Worker bestHome = null;
		for (Worker home : homes) {
			if (home != null && hasRoom(home) && (bestHome == null || home.load() < bestHome.load())) {
				bestHome = home;
			}
		}
		if (bestHome != null) {
			return new RoutingDecision(bestHome, RouteOutcome.PLACED);
		}
		return new RoutingDecision(leastLoaded, RouteOutcome.SPILLED);
	}

	/**
	 * @param workers the pool
	 * @param baseModel the base model
	 * @param adapterId an adapter
	 * @param excluded workers to leave out, or {@code null}
	 * @param k how many homes
	 * @return the adapter's k home workers among the eligible ones, best first (slots may
	 * be {@code null} when fewer are eligible)
	 */
	Worker[] homes(List<Worker> workers, String baseModel, String adapterId, List<Worker> excluded, int k) {
		Worker[] top = new Worker[Math.max(0, k)];
		long[] scores = new long[top.length];
		if (top.length == 0) {
			return top;
		}
		long adapterHash = hash(adapterId);
		for (int i = 0; i < workers.size(); i++) {
			Worker worker = workers.get(i);
			if (!eligible(worker, baseModel, excluded)) {
				continue;
			}
			long score = mix(adapterHash ^ worker.hash());
			// Insertion into a tiny sorted array: k is a handful.
			for (int slot = 0; slot < top.length; slot++) {
				if (top[slot] == null || Long.compareUnsigned(score, scores[slot]) > 0) {
					System.arraycopy(top, slot, top, slot + 1, top.length - slot - 1);
					System.arraycopy(scores, slot, scores, slot + 1, scores.length - slot - 1);
					top[slot] = worker;
					scores[slot] = score;
					break;
				}
			}
		}
		return top;
	}

	/**
	 * @param adapterId an adapter
	 * @return how many home workers it has now: {@code homeWorkers}, more when its
	 * request rate exceeds what that many carry
	 */
	int homeCount(String adapterId) {
		long now = this.clock.getAsLong();
		AdapterHeat adapter = this.heat.get(adapterId);
		return (adapter != null) ? homeCount(adapter, now) : this.properties.homeWorkers();
	}

	private int homeCount(AdapterHeat adapter, long now) {
		int byLoad = (int) Math.ceil(adapter.rate(now) / this.properties.requestsPerHome());
		return Math.clamp(byLoad, this.properties.homeWorkers(), this.properties.maxHomeWorkers());
	}

	/**
	 * Remembers where an adapter comes from, so it can be preloaded before requests need
	 * it.
	 * @param adapterId the adapter
	 * @param baseModel its base model
	 * @param source its source URI ({@code Quiver-Adapter-Source}), or {@code null}
	 * @param sha256 its digest ({@code Quiver-Adapter-Sha256}), or {@code null}
	 */
	void source(String adapterId, String baseModel, String source, String sha256) {
		AdapterHeat adapter = this.heat.get(adapterId);
		if (adapter != null) {
			adapter.source(baseModel, source, sha256);
		}
	}

	/**
	 * @return the adapters busier than the preload threshold, with their state
	 */
	Map<String, AdapterHeat> hot() {
		long now = this.clock.getAsLong();
		Map<String, AdapterHeat> hot = new java.util.HashMap<>();
		this.heat.forEach((id, adapter) -> {
			if (adapter.rate(now) >= this.properties.preloadThreshold()) {
				hot.put(id, adapter);
			}
		});
		return hot;
	}

	/** Forgets adapters unused for a minute, so the table stays small. */
	void forgetIdle() {
		long cutoff = this.clock.getAsLong() - 60_000_000_000L;
		this.heat.values().removeIf((adapter) -> adapter.lastSeen() < cutoff);
	}

	private AdapterHeat heat(String adapterId, long now) {
		AdapterHeat adapter = this.heat.get(adapterId);
		if (adapter == null) {
			if (this.heat.size() >= MAX_TRACKED_ADAPTERS) {
				forgetIdle();
			}
			adapter = this.heat.computeIfAbsent(adapterId, (id) -> new AdapterHeat(now));
		}
		return adapter;
	}

	private boolean hasRoom(Worker worker) {
		WorkerStatus status = worker.status();
		return status.queueDepth() < this.properties.maxQueueDepth()
				&& status.kvCacheUsage() < this.properties.maxKvCacheUsage();
	}

	private static boolean eligible(Worker worker, String baseModel, List<Worker> excluded) {
		return worker.isReady() && worker.models().contains(baseModel)
				&& (excluded == null || !excluded.contains(worker));
	}

	/**
	 * @param value a string
	 * @return its 64-bit FNV-1a hash
	 */
	static long hash(String value) {
		long hash = 0xcbf29ce484222325L;
		// Over UTF-16 units rather than UTF-8 bytes: the same spread, no copy of the id.
		for (int i = 0; i < value.length(); i++) {
			hash ^= value.charAt(i);
			hash *= 0x100000001b3L;
		}
		return hash;
	}

	/**
	 * SplitMix64's finaliser: spreads the combined hash so rendezvous scores are
	 * independent per worker.
	 */
	private static long mix(long z) {
		z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
		z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
		return z ^ (z >>> 31);
	}

}
