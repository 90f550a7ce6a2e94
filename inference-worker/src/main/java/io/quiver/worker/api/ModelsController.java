package io.quiver.worker.api;

import java.util.LinkedHashSet;
import java.util.Set;

import io.quiver.worker.engine.InferenceEngine;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/models}: the base model and the adapters this worker holds or can serve
 * from its adapters folder.
 */
@RestController
class ModelsController {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final InferenceEngine engine;

	private final ModelIds modelIds;

	private final long created = System.currentTimeMillis() / 1000;

	ModelsController(InferenceEngine engine, ModelIds modelIds) {
		this.engine = engine;
		this.modelIds = modelIds;
	}

	@GetMapping("/v1/models")
	ResponseEntity<String> models() {
		ObjectNode root = JSON.createObjectNode();
		root.put("object", "list");
		ArrayNode data = root.putArray("data");
		model(data, this.modelIds.base(), null);
		Set<String> adapters = new LinkedHashSet<>(this.engine.adapters().available());
		adapters.addAll(this.engine.adapters().tiers().keySet());
		for (String adapter : adapters) {
			model(data, adapter, this.modelIds.base());
		}
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(JSON.writeValueAsString(root));
	}

	private void model(ArrayNode data, String id, String parent) {
		ObjectNode model = data.addObject();
		model.put("id", id);
		model.put("object", "model");
		model.put("created", this.created);
		model.put("owned_by", "quiver");
		model.put("root", (parent != null) ? parent : id);
		model.put("parent", parent);
		model.put("max_model_len", this.engine.config().maxModelLength());
	}

}
