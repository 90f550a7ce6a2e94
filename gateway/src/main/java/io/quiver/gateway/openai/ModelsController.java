package io.quiver.gateway.openai;

import java.util.List;
import java.util.Map;

import io.quiver.gateway.routing.WorkerPool;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/models}: the base models the worker pool serves, as OpenAI lists models.
 */
@RestController
class ModelsController {

	private final WorkerPool pool;

	ModelsController(WorkerPool pool) {
		this.pool = pool;
	}

	@GetMapping("/v1/models")
	Map<String, Object> list() {
		List<Map<String, Object>> data = this.pool.models().stream().map(ModelsController::model).toList();
		return Map.of("object", "list", "data", data);
	}

	@GetMapping("/v1/models/{id}")
	Map<String, Object> get(@PathVariable String id) {
		if (!this.pool.models().contains(id)) {
			throw OpenAiException.modelNotFound(id);
		}
		return model(id);
	}

	private static Map<String, Object> model(String id) {
		return Map.of("id", id, "object", "model", "created", 0, "owned_by", "quiver");
	}

}
