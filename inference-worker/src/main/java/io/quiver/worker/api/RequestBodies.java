package io.quiver.worker.api;

import io.quiver.worker.engine.InferenceEngine;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reading the parts every generation request shares.
 */
final class RequestBodies {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private RequestBodies() {
	}

	static JsonNode parse(String body) {
		if (body == null || body.isBlank()) {
			throw OpenAiException.invalid(null, "The request body must be a JSON object");
		}
		try {
			JsonNode json = JSON.readTree(body);
			if (json == null || !json.isObject()) {
				throw OpenAiException.invalid(null, "The request body must be a JSON object");
			}
			return json;
		}
		catch (JacksonException ex) {
			throw OpenAiException.invalid(null, "The request body is not valid JSON");
		}
	}

	static String model(JsonNode json) {
		JsonNode model = json.get("model");
		if (model == null || !model.isString() || model.asString().isBlank()) {
			throw OpenAiException.invalid("model", "model is required");
		}
		return model.asString();
	}

	/**
	 * The model name an answer shows: the one a gateway says its caller used
	 * ({@code Quiver-Model-Name}, when it resolved a tenant's adapter name to the
	 * adapter's versioned id), else the request's {@code model}.
	 */
	static String shownModel(String model, String shownAs) {
		if (shownAs == null || shownAs.isBlank()) {
			return model;
		}
		if (shownAs.length() > 256 || shownAs.chars().anyMatch(Character::isISOControl)) {
			throw OpenAiException.invalid("model", "the Quiver-Model-Name header must be a short, printable name");
		}
		return shownAs;
	}

	/**
	 * The adapter a request names, checked to exist unless the request says where to
	 * fetch it.
	 */
	static String adapter(InferenceEngine engine, ModelIds ids, String model, String source, String sha256) {
		String adapter = ids.adapterOf(model);
		if (adapter != null && source == null && !engine.adapters().knows(adapter)) {
			throw OpenAiException.modelNotFound(model);
		}
		return adapter;
	}

}
