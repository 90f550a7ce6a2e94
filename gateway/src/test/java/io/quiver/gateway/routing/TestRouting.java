package io.quiver.gateway.routing;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.quiver.gateway.routing.WorkerStatus.AdapterTier;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * Fixtures for routing tests that need no network: properties bound as Spring binds them,
 * workers with a given status.
 */
final class TestRouting {

	private TestRouting() {
	}

	/**
	 * @param overrides {@code quiver.routing.*} keys (without the prefix) and values
	 * @return the properties with every default applied
	 */
	static RoutingProperties properties(String... overrides) {
		Map<String, String> values = new HashMap<>();
		values.put("quiver.routing.workers", "http://127.0.0.1:9");
		values.put("quiver.routing.pending-timeout", "200ms");
		for (int i = 0; i + 1 < overrides.length; i += 2) {
			values.put("quiver.routing." + overrides[i], overrides[i + 1]);
		}
		return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("quiver.routing",
				Bindable.of(RoutingProperties.class));
	}

	/**
	 * @param name a distinguishing name
	 * @param baseModel the base model it serves
	 * @param adapters adapters it holds on the device
	 * @return a ready worker
	 */
	static Worker worker(String name, String baseModel, String... adapters) {
		Worker worker = new Worker(URI.create("http://" + name + ":8081"), WorkerDialect.QUIVER, false,
				CircuitBreaker.ofDefaults(name));
		Map<String, AdapterTier> held = new HashMap<>();
		for (String adapter : adapters) {
			held.put(adapter, AdapterTier.DEVICE);
		}
		worker.update(WorkerDialect.QUIVER, new WorkerStatus(Set.of(baseModel), 0, 0, 0, held, 0, false),
				System.nanoTime());
		return worker;
	}

	/**
	 * @param worker a worker
	 * @param queueDepth its queue
	 * @param kvCacheUsage its KV use
	 */
	static void load(Worker worker, int queueDepth, double kvCacheUsage) {
		WorkerStatus status = worker.status();
		worker.update(WorkerDialect.QUIVER, new WorkerStatus(status.baseModels(), queueDepth, status.running(),
				kvCacheUsage, status.adapters(), 0, false), System.nanoTime());
	}

	/**
	 * @param worker a worker
	 * @param adapters what it holds now
	 */
	static void holds(Worker worker, java.util.Collection<String> adapters) {
		WorkerStatus status = worker.status();
		Map<String, AdapterTier> held = new HashMap<>();
		for (String adapter : adapters) {
			held.put(adapter, AdapterTier.DEVICE);
		}
		worker.update(WorkerDialect.QUIVER, new WorkerStatus(status.baseModels(), status.queueDepth(), status.running(),
				status.kvCacheUsage(), held, 0, false), System.nanoTime());
	}

	static WorkerRouter router(RoutingProperties properties, java.util.function.LongSupplier clock) {
		return new WorkerRouter(null, properties, clock);
	}

	static List<Worker> pool(int n, String baseModel) {
		return java.util.stream.IntStream.range(0, n).mapToObj((i) -> worker("w" + i, baseModel)).toList();
	}

}
