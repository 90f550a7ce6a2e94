package io.quiver.worker.api;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.quiver.worker.adapter.AdapterException;
import io.quiver.worker.adapter.AdapterSource;
import io.quiver.worker.adapter.AdapterTier;
import io.quiver.worker.adapter.UnknownAdapterException;
import io.quiver.worker.engine.EngineStatus;
import io.quiver.worker.engine.InferenceEngine;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The worker extension the gateway's router uses: {@code GET /status},
 * {@code PUT}/{@code DELETE /adapters/{id}} and {@code POST /drain}. Adapter ids may
 * contain slashes ({@code tenant/name@v3}).
 */
@RestController
class WorkerController {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final InferenceEngine engine;

	private final ModelIds modelIds;

	WorkerController(InferenceEngine engine, ModelIds modelIds) {
		this.engine = engine;
		this.modelIds = modelIds;
	}

	@GetMapping("/status")
	ResponseEntity<String> status() {
		EngineStatus status = this.engine.status();
		ObjectNode root = JSON.createObjectNode();
		root.put("model", this.modelIds.base());
		root.put("queue_depth", status.waiting());
		root.put("running", status.running());
		root.put("kv_cache_usage", status.kvUsage());
		root.put("draining", status.draining());
		root.put("outstanding", this.engine.outstanding());
		ArrayNode adapters = root.putArray("adapters");
		for (Map.Entry<String, AdapterTier> e : new java.util.TreeMap<>(this.engine.adapters().tiers()).entrySet()) {
			ObjectNode adapter = adapters.addObject();
			adapter.put("id", e.getKey());
			adapter.put("tier", e.getValue().name().toLowerCase(java.util.Locale.ROOT));
			adapter.put("pinned", this.engine.adapters().isPinned(e.getKey()));
		}
		ObjectNode capacity = root.putObject("capacity");
		capacity.put("max_running", this.engine.config().scheduler().maxRunning());
		capacity.put("max_waiting", this.engine.config().scheduler().maxWaiting());
		capacity.put("max_batch_tokens", this.engine.config().scheduler().maxBatchTokens());
		capacity.put("max_model_len", this.engine.config().maxModelLength());
		capacity.put("kv_cache_tokens", (long) this.engine.config().kvBlocks() * this.engine.config().kvBlockSize());
		capacity.put("adapter_host_bytes", this.engine.adapters().hostBudget());
		capacity.put("adapter_device_bytes", this.engine.adapters().deviceBudget());
		return json(root);
	}

	@PutMapping("/adapters/{*id}")
	ResponseEntity<String> preload(@PathVariable("id") String path,
			@RequestParam(name = "pin", defaultValue = "false") boolean pin,
			@RequestHeader(name = "Quiver-Adapter-Source", required = false) String source,
			@RequestHeader(name = "Quiver-Adapter-Sha256", required = false) String sha256) {
		String id = adapterId(path);
		AdapterSource adapterSource = GenerationCall.source(source, sha256);
		if (adapterSource == null && !this.engine.adapters().knows(id)) {
			throw OpenAiException.modelNotFound(id);
		}
		try {
			this.engine.preload(id, (adapterSource != null) ? adapterSource : AdapterSource.LOCAL, pin)
				.get(120, TimeUnit.SECONDS);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof UnknownAdapterException) {
				throw OpenAiException.modelNotFound(id);
			}
			if (ex.getCause() instanceof AdapterException adapter) {
				throw new OpenAiException(400, "invalid_request_error", null, "adapter_invalid", adapter.getMessage());
			}
			throw new IllegalStateException(ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new OpenAiException(504, "timeout", null, null, "Loading adapter " + id + " timed out");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		ObjectNode root = JSON.createObjectNode();
		root.put("id", id);
		root.put("tier", "device");
		root.put("pinned", pin);
		return json(root);
	}

	@DeleteMapping("/adapters/{*id}")
	ResponseEntity<String> evict(@PathVariable("id") String path) throws Exception {
		String id = adapterId(path);
		if (!this.engine.adapters().tiers().containsKey(id)) {
			throw OpenAiException.modelNotFound(id);
		}
		boolean evicted = this.engine.evict(id).get(30, TimeUnit.SECONDS);
		if (!evicted) {
			throw new OpenAiException(409, "invalid_request_error", null, "adapter_in_use",
					"Adapter " + id + " is in use by running requests; retry when they finish");
		}
		ObjectNode root = JSON.createObjectNode();
		root.put("id", id);
		root.put("deleted", true);
		return json(root);
	}

	@PostMapping("/drain")
	ResponseEntity<String> drain() {
		this.engine.drain();
		ObjectNode root = JSON.createObjectNode();
		root.put("draining", true);
		root.put("outstanding", this.engine.outstanding());
		return json(root);
	}

	private static String adapterId(String path) {
		String id = path.startsWith("/") ? path.substring(1) : path;
		if (id.isBlank()) {
			throw OpenAiException.invalid(null, "an adapter id is required");
		}
		return id;
	}

	private static ResponseEntity<String> json(ObjectNode root) {
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(JSON.writeValueAsString(root));
	}

}
