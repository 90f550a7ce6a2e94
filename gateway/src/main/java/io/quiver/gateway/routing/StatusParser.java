package io.quiver.gateway.routing;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import io.quiver.gateway.routing.WorkerStatus.AdapterTier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads what workers say about themselves, tolerantly: the worker's {@code /status} is
 * young, so both snake_case and camelCase names are accepted, unknown fields are ignored
 * and missing ones read as zero. vLLM's {@code /v1/models} and Prometheus
 * {@code /metrics} are read here too.
 */
final class StatusParser {

	private final JsonMapper json;

	StatusParser(JsonMapper json) {
		this.json = json;
	}

	/**
	 * @param body a Quiver worker's {@code GET /status} answer
	 * @return the status
	 * @throws IllegalArgumentException if it is not a JSON object naming a base model
	 */
	WorkerStatus quiverStatus(byte[] body) {
		JsonNode root = this.json.readTree(body);
		if (root == null || !root.isObject()) {
			throw new IllegalArgumentException("status is not a JSON object");
		}
		Set<String> bases = new LinkedHashSet<>();
		JsonNode base = first(root, "base_model", "baseModel", "model", "base_model_id", "baseModelId");
		if (base != null && base.isString()) {
			bases.add(base.asString());
		}
		else if (base != null && base.isObject()) {
			String id = text(first(base, "id", "name"));
			if (id != null) {
				bases.add(id);
			}
		}
		if (bases.isEmpty()) {
			throw new IllegalArgumentException("status names no base model");
		}
		JsonNode capacity = first(root, "capacity", "limits");
		int maxRunning = intOf(first(root, "max_running", "maxRunning", "max_running_sequences", "maxBatch"));
		if (capacity != null && maxRunning == 0) {
			maxRunning = intOf(first(capacity, "max_running", "maxRunning", "max_running_sequences",
					"maxRunningSequences", "max_batch", "maxBatch", "max_sequences", "maxSequences"));
		}
		Map<String, AdapterTier> adapters = new HashMap<>();
		JsonNode held = first(root, "adapters", "held_adapters", "heldAdapters");
		if (held != null && held.isArray()) {
			for (JsonNode adapter : held) {
				if (adapter.isString()) {
					adapters.put(adapter.asString(), AdapterTier.DEVICE);
				}
				else {
					String id = text(first(adapter, "id", "name", "adapter_id", "adapterId"));
					if (id != null) {
						adapters.put(id, AdapterTier.parse(text(first(adapter, "tier", "state", "location"))));
					}
				}
			}
		}
		else if (held != null && held.isObject()) {
			for (Map.Entry<String, JsonNode> entry : held.properties()) {
				JsonNode value = entry.getValue();
				String tier = value.isString() ? value.asString() : text(first(value, "tier", "state"));
				adapters.put(entry.getKey(), AdapterTier.parse(tier));
			}
		}
		return new WorkerStatus(bases,
				intOf(first(root, "queue_depth", "queueDepth", "queued", "waiting", "pending", "queue")),
				intOf(first(root, "running_sequences", "runningSequences", "running", "active")),
				usage(first(root, "kv_cache_usage", "kvCacheUsage", "kv_cache_use", "kvCacheUse", "kv_cache", "kvCache",
						"kv_usage")),
				adapters, maxRunning, first(root, "draining", "is_draining", "isDraining") != null
						&& first(root, "draining", "is_draining", "isDraining").asBoolean(false));
	}

	/**
	 * @param models a vLLM server's {@code GET /v1/models} answer
	 * @param metrics its {@code GET /metrics} text, or {@code null} if it gave none
	 * @return the status: base models are the entries without a {@code parent}, adapters
	 * the LoRA modules listed with one
	 */
	WorkerStatus vllmStatus(byte[] models, String metrics) {
		Set<String> bases = new LinkedHashSet<>();
		Map<String, AdapterTier> adapters = new HashMap<>();
		for (JsonNode model : this.json.readTree(models).path("data")) {
			String id = model.path("id").asString("");
			if (id.isEmpty()) {
				continue;
			}
			String parent = model.path("parent").isString() ? model.path("parent").asString() : "";
			if (parent.isEmpty()) {
				bases.add(id);
			}
			else {
				adapters.put(id, AdapterTier.DEVICE);
			}
		}
		if (bases.isEmpty()) {
			throw new IllegalArgumentException("models lists no base model");
		}
		double waiting = 0;
		double running = 0;
		double kv = 0;
		if (metrics != null) {
			waiting = PrometheusText.sum(metrics, "vllm:num_requests_waiting");
			running = PrometheusText.sum(metrics, "vllm:num_requests_running");
			// vLLM v1 calls it kv_cache_usage_perc; v0 called it gpu_cache_usage_perc.
			// Both
			// are 0..1 despite the name.
			kv = Math.max(PrometheusText.max(metrics, "vllm:kv_cache_usage_perc"),
					PrometheusText.max(metrics, "vllm:gpu_cache_usage_perc"));
		}
		return new WorkerStatus(bases, (int) waiting, (int) running, Math.min(1, Math.max(0, kv)), adapters, 0, false);
	}

	private static JsonNode first(JsonNode node, String... names) {
		for (String name : names) {
			JsonNode value = node.get(name);
			if (value != null && !value.isNull()) {
				return value;
			}
		}
		return null;
	}

	private static String text(JsonNode node) {
		return (node != null && node.isValueNode()) ? node.asString() : null;
	}

	private static int intOf(JsonNode node) {
		if (node == null) {
			return 0;
		}
		if (node.isArray()) {
			return node.size();
		}
		return Math.max(0, node.asInt(0));
	}

	private static double usage(JsonNode node) {
		if (node == null) {
			return 0;
		}
		if (node.isObject()) {
			JsonNode fraction = first(node, "usage", "used_fraction", "fraction", "use");
			if (fraction != null) {
				return usage(fraction);
			}
			double used = first(node, "used_blocks", "usedBlocks", "used") != null
					? first(node, "used_blocks", "usedBlocks", "used").asDouble(0) : 0;
			double total = first(node, "total_blocks", "totalBlocks", "total") != null
					? first(node, "total_blocks", "totalBlocks", "total").asDouble(0) : 0;
			return (total > 0) ? Math.min(1, used / total) : 0;
		}
		double value = node.asDouble(0);
		// Some report a percentage; anything above 1 is read as one.
		return (value > 1) ? Math.min(1, value / 100) : Math.max(0, value);
	}

}
