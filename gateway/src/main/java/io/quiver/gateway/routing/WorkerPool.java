package io.quiver.gateway.routing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The configured workers, polled in the background for the models they serve
 * ({@code GET /v1/models}). A worker that does not answer is left out of routing until it
 * answers again.
 */
@Component
public class WorkerPool implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);

	private final List<Worker> workers;

	private final HttpClient http;

	private final JsonMapper json;

	private final RoutingProperties properties;

	private final ScheduledExecutorService poller;

	private final Set<String> known = ConcurrentHashMap.newKeySet();

	WorkerPool(RoutingProperties properties, JsonMapper json) {
		this.properties = properties;
		this.json = json;
		this.workers = properties.workers().stream().map(Worker::new).toList();
		this.http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(properties.connectTimeout())
			.executor(Executors.newVirtualThreadPerTaskExecutor())
			.build();
		this.poller = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("worker-poller").factory());
		long interval = properties.refreshInterval().toMillis();
		this.poller.scheduleWithFixedDelay(this::refresh, 0, interval, TimeUnit.MILLISECONDS);
	}

	/**
	 * @return every base model any worker has reported since start, live or not: a
	 * request for one of these while no worker serves it is a temporary outage (503), not
	 * an unknown model (404)
	 */
	public Set<String> knownModels() {
		return Set.copyOf(this.known);
	}

	/**
	 * @return whether any worker answered its last poll
	 */
	public boolean anyUp() {
		return this.workers.stream().anyMatch(Worker::isUp);
	}

	/**
	 * @return every configured worker
	 */
	public List<Worker> workers() {
		return this.workers;
	}

	/**
	 * @return the base models some live worker serves, in configuration order
	 */
	public Set<String> models() {
		Set<String> models = new LinkedHashSet<>();
		for (Worker worker : this.workers) {
			if (worker.isUp()) {
				models.addAll(worker.models());
			}
		}
		return models;
	}

	/**
	 * @param model a base model id
	 * @return the least busy live worker that serves it
	 */
	public Optional<Worker> choose(String model) {
		return this.workers.stream()
			.filter((worker) -> worker.isUp() && worker.models().contains(model))
			.min(Comparator.comparingInt(Worker::inFlight));
	}

	/** Polls every worker now. */
	public void refresh() {
		for (Worker worker : this.workers) {
			poll(worker);
		}
	}

	private void poll(Worker worker) {
		HttpRequest request = HttpRequest.newBuilder(worker.baseUri().resolve("/v1/models"))
			.timeout(this.properties.connectTimeout().multipliedBy(2))
			.GET()
			.build();
		try {
			HttpResponse<byte[]> response = this.http.send(request, HttpResponse.BodyHandlers.ofByteArray());
			if (response.statusCode() != 200) {
				throw new IOException("status " + response.statusCode());
			}
			Set<String> models = new LinkedHashSet<>();
			for (JsonNode model : this.json.readTree(response.body()).path("data")) {
				String id = model.path("id").asString();
				// Adapters a worker holds are listed with their base as "parent" (as vLLM
				// does); they are not base
				// models of their own for routing purposes.
				if (!id.isEmpty() && model.path("parent").asString("").isEmpty()) {
					models.add(id);
				}
			}
			if (!worker.isUp()) {
				log.info("Worker {} is up, serving {}", worker, models);
			}
			worker.markUp(models);
			this.known.addAll(models);
		}
		catch (IOException | RuntimeException ex) {
			if (worker.isUp()) {
				log.warn("Worker {} stopped answering: {}", worker, ex.toString());
			}
			worker.markDown();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	HttpClient http() {
		return this.http;
	}

	@Override
	public void destroy() {
		this.poller.shutdownNow();
		this.http.close();
	}

	URI uriOf(Worker worker, String path) {
		return worker.baseUri().resolve(path);
	}

}
