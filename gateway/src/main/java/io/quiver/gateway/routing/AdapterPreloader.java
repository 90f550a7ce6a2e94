package io.quiver.gateway.routing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.quiver.gateway.openai.OpenAiErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts adapters onto workers before requests need them: hot adapters onto every one of
 * their home workers (after each poll, in the background), and, for a vLLM server, which
 * cannot fetch an adapter by itself, onto the chosen worker right before the request.
 */
class AdapterPreloader {

	private static final Logger log = LoggerFactory.getLogger(AdapterPreloader.class);

	private static final long RETRY_NANOS = 30_000_000_000L;

	private final WorkerPool pool;

	private final WorkerRouter router;

	private final Map<String, Long> attempted = new ConcurrentHashMap<>();

	AdapterPreloader(WorkerPool pool, WorkerRouter router) {
		this.pool = pool;
		this.router = router;
	}

	/** Preloads each hot adapter onto those of its home workers that lack it. */
	void preloadHot() {
		long now = System.nanoTime();
		this.attempted.values().removeIf((at) -> now - at > RETRY_NANOS);
		this.router.forgetIdle();
		List<Worker> workers = this.pool.workers();
		this.router.hot().forEach((adapterId, heat) -> {
			if (heat.source() == null || heat.baseModel() == null) {
				return;
			}
			int k = this.router.homeCount(adapterId);
			for (Worker home : this.router.homes(workers, heat.baseModel(), adapterId, null, k)) {
				if (home == null || home.status().holds(adapterId) || home.status().loading(adapterId)) {
					continue;
				}
				if (this.attempted.putIfAbsent(home.id() + ' ' + adapterId, now) == null) {
					Thread.ofVirtual()
						.name("quiver-preload")
						.start(() -> load(home, adapterId, heat.source(), heat.sha256()));
				}
			}
		});
	}

	/**
	 * Loads an adapter onto a worker and waits for it.
	 * @param worker the worker
	 * @param adapterId the adapter
	 * @param source where the adapter is ({@code file://}, {@code https://},
	 * {@code s3://}, {@code hf://})
	 * @param sha256 its digest, or {@code null}
	 * @return whether the worker holds it now
	 */
	boolean load(Worker worker, String adapterId, String source, String sha256) {
		try {
			HttpRequest request = (worker.dialect() == WorkerDialect.VLLM) ? vllmLoad(worker, adapterId, source)
					: quiverLoad(worker, adapterId, source, sha256);
			HttpResponse<String> response = this.pool.http().send(request, HttpResponse.BodyHandlers.ofString());
			int status = response.statusCode();
			// vLLM answers 400 "already loaded" for an adapter it holds.
			boolean loaded = (status / 100 == 2)
					|| (status == 400 && response.body().toLowerCase(java.util.Locale.ROOT).contains("already"));
			if (loaded) {
				worker.held(adapterId);
				log.info("Loaded adapter {} onto worker {}", adapterId, worker.id());
			}
			else {
				log.warn("Worker {} refused to load adapter {}: status {}", worker.id(), adapterId, status);
			}
			return loaded;
		}
		catch (IOException | IllegalArgumentException ex) {
			log.warn("Loading adapter {} onto worker {} failed: {}", adapterId, worker.id(), ex.toString());
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private HttpRequest quiverLoad(Worker worker, String adapterId, String source, String sha256) {
		String body = "{\"source\":" + OpenAiErrors.quote(source) + ",\"sha256\":" + OpenAiErrors.quote(sha256)
				+ ",\"pin\":false}";
		HttpRequest.Builder request = HttpRequest.newBuilder(worker.uri("/adapters/" + adapterId))
			.timeout(this.pool.properties().firstByteTimeout())
			.header("Content-Type", "application/json")
			.PUT(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
		if (source != null) {
			request.header(InferenceCall.ADAPTER_SOURCE, source);
		}
		if (sha256 != null) {
			request.header(InferenceCall.ADAPTER_SHA256, sha256);
		}
		return request.build();
	}

	/**
	 * vLLM loads from a path it can read (or a Hugging Face repository id), not from a
	 * URI: {@code file:///x} becomes {@code /x}, {@code hf://org/repo} becomes
	 * {@code org/repo}; other schemes are passed as they are.
	 */
	private HttpRequest vllmLoad(Worker worker, String adapterId, String source) {
		if (source == null) {
			throw new IllegalArgumentException("no source for adapter " + adapterId);
		}
		String path = source;
		if (source.startsWith("file:")) {
			path = URI.create(source).getPath();
		}
		else if (source.startsWith("hf://")) {
			path = source.substring("hf://".length());
		}
		String body = "{\"lora_name\":" + OpenAiErrors.quote(adapterId) + ",\"lora_path\":" + OpenAiErrors.quote(path)
				+ "}";
		return HttpRequest.newBuilder(worker.uri("/v1/load_lora_adapter"))
			.timeout(this.pool.properties().firstByteTimeout())
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
			.build();
	}

}
