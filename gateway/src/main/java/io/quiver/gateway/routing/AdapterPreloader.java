package io.quiver.gateway.routing;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
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

	private static final int MAX_ANSWER_BYTES = 1024 * 1024;

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
			WorkerHttp.WholeResponse response = (worker.dialect() == WorkerDialect.VLLM)
					? vllmLoad(worker, adapterId, source) : quiverLoad(worker, adapterId, source, sha256);
			int status = response.status();
			// vLLM answers 400 "already loaded" for an adapter it holds.
			boolean loaded = (status / 100 == 2)
					|| (status == 400 && response.text().toLowerCase(java.util.Locale.ROOT).contains("already"));
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
	}

	private WorkerHttp.WholeResponse quiverLoad(Worker worker, String adapterId, String source, String sha256)
			throws IOException {
		String body = "{\"source\":" + OpenAiErrors.quote(source) + ",\"sha256\":" + OpenAiErrors.quote(sha256)
				+ ",\"pin\":false}";
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("Content-Type", "application/json");
		headers.put(InferenceCall.ADAPTER_SOURCE, source);
		headers.put(InferenceCall.ADAPTER_SHA256, sha256);
		return send(worker, "PUT", "/adapters/" + adapterId, headers, body);
	}

	/**
	 * vLLM loads from a path it can read (or a Hugging Face repository id), not from a
	 * URI: {@code file:///x} becomes {@code /x}, {@code hf://org/repo} becomes
	 * {@code org/repo}; other schemes are passed as they are.
	 */
	private WorkerHttp.WholeResponse vllmLoad(Worker worker, String adapterId, String source) throws IOException {
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
		return send(worker, "POST", "/v1/load_lora_adapter", Map.of("Content-Type", "application/json"), body);
	}

	private WorkerHttp.WholeResponse send(Worker worker, String method, String path, Map<String, String> headers,
			String body) throws IOException {
		return this.pool.http()
			.exchange(worker.uri(path), method, headers, body.getBytes(StandardCharsets.UTF_8),
					this.pool.properties().firstByteTimeout(), MAX_ANSWER_BYTES);
	}

}
