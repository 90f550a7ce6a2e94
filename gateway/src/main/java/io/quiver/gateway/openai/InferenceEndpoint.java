package io.quiver.gateway.openai;

import tools.jackson.databind.JsonNode;

/**
 * The two generation endpoints and what each requires of its body beyond {@code model}.
 */
enum InferenceEndpoint {

	CHAT("/v1/chat/completions") {
		@Override
		void validate(JsonNode body) {
			JsonNode messages = body.get("messages");
			if (messages == null || !messages.isArray() || messages.isEmpty()) {
				throw OpenAiException.invalidRequest("messages", "'messages' must be a non-empty array.");
			}
			for (int i = 0; i < messages.size(); i++) {
				JsonNode message = messages.get(i);
				if (!message.isObject() || !message.path("role").isString()) {
					throw OpenAiException.invalidRequest("messages[" + i + "]",
							"Each message must be an object with a string 'role'.");
				}
			}
		}
	},

	COMPLETIONS("/v1/completions") {
		@Override
		void validate(JsonNode body) {
			JsonNode prompt = body.get("prompt");
			if (prompt == null || !(prompt.isString() || prompt.isArray())) {
				throw OpenAiException.invalidRequest("prompt", "'prompt' must be a string or an array.");
			}
		}
	};

	private final String path;

	InferenceEndpoint(String path) {
		this.path = path;
	}

	String path() {
		return this.path;
	}

	abstract void validate(JsonNode body);

}
