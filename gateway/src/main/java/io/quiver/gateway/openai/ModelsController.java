package io.quiver.gateway.openai;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.quiver.gateway.routing.WorkerPool;
import io.quiver.gateway.security.Caller;
import io.quiver.tenancy.adapter.AdapterVersion;
import io.quiver.tenancy.adapter.ResolvedAdapter;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/models}: the base models the worker pool serves and the caller's own
 * tenant's adapters, as OpenAI lists models. Adapters appear by name (their default
 * version) and pinned ({@code name@v2}), with their base model as {@code parent}.
 */
@RestController
class ModelsController {

	private final WorkerPool pool;

	private final AdapterResolver adapters;

	ModelsController(WorkerPool pool, AdapterResolver adapters) {
		this.pool = pool;
		this.adapters = adapters;
	}

	@GetMapping("/v1/models")
	Map<String, Object> list(@AuthenticationPrincipal Caller caller) {
		List<Map<String, Object>> data = new ArrayList<>();
		for (String model : this.pool.models()) {
			if (caller.mayUse(model)) {
				data.add(model(model, "quiver", null));
			}
		}
		List<String> named = new ArrayList<>();
		for (AdapterVersion version : this.adapters.readyVersions(caller.tenantId())) {
			Optional<String> name = this.adapters.nameOf(version.getAdapterId());
			if (name.isEmpty() || !caller.mayUse(name.get())) {
				continue;
			}
			if (!named.contains(name.get())) {
				named.add(name.get());
				data.add(model(name.get(), caller.tenant(), version.getBaseModel()));
			}
			data.add(model(name.get() + "@" + version.getVersion(), caller.tenant(), version.getBaseModel()));
		}
		return Map.of("object", "list", "data", data);
	}

	@GetMapping("/v1/models/{id}")
	Map<String, Object> get(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
		if (!caller.mayUse(id)) {
			throw OpenAiException.modelNotFound(id);
		}
		if (this.pool.models().contains(id)) {
			return model(id, "quiver", null);
		}
		ResolvedAdapter adapter = this.adapters.resolve(caller.tenantId(), id)
			.orElseThrow(() -> OpenAiException.modelNotFound(id));
		return model(id, caller.tenant(), adapter.baseModel());
	}

	private static Map<String, Object> model(String id, String owner, String parent) {
		Map<String, Object> model = new LinkedHashMap<>();
		model.put("id", id);
		model.put("object", "model");
		model.put("created", 0);
		model.put("owned_by", owner);
		if (parent != null) {
			model.put("parent", parent);
		}
		return model;
	}

}
