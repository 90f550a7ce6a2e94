package io.quiver.worker.api;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.servlet.http.HttpServletResponse;

import io.quiver.worker.engine.GenerationRequest;
import io.quiver.worker.engine.InferenceEngine;
import io.quiver.worker.tokenizer.ChatMessage;
import tools.jackson.databind.JsonNode;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /v1/chat/completions}: OpenAI's chat completions, rendered with the model's
 * chat template, whole or streamed.
 */
@RestController
class ChatCompletionsController {

	private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

	private final InferenceEngine engine;

	private final ModelIds modelIds;

	ChatCompletionsController(InferenceEngine engine, ModelIds modelIds) {
		this.engine = engine;
		this.modelIds = modelIds;
	}

	@PostMapping("/v1/chat/completions")
	ResponseEntity<String> complete(@RequestBody(required = false) String body,
			@RequestHeader(name = "Quiver-Adapter-Source", required = false) String source,
			@RequestHeader(name = "Quiver-Adapter-Sha256", required = false) String sha256,
			@RequestHeader(name = "Quiver-Model-Name", required = false) String shownAs, HttpServletResponse response)
			throws IOException {
		JsonNode json = RequestBodies.parse(body);
		String model = RequestBodies.model(json);
		String adapter = RequestBodies.adapter(this.engine, this.modelIds, model, source, sha256);
		String shown = RequestBodies.shownModel(model, shownAs);
		if (json.path("tools").isArray() && json.path("tools").size() > 0) {
			throw OpenAiException.invalid("tools", "tools are not supported by this worker");
		}
		List<ChatMessage> messages = messages(json.get("messages"));
		if (!this.engine.tokenizer().hasChatTemplate()) {
			throw OpenAiException.invalid("messages",
					"this model has no chat template; use /v1/completions with a prompt");
		}
		String text;
		try {
			text = this.engine.tokenizer().applyChatTemplate(messages, true);
		}
		catch (RuntimeException ex) {
			throw OpenAiException.invalid("messages", "the chat template could not render these messages");
		}
		int[] prompt = this.engine.tokenizer().encode(text, false);
		if (prompt.length == 0) {
			throw OpenAiException.invalid("messages", "the rendered prompt is empty");
		}
		boolean logprobs = SamplingRequest.bool(json, "logprobs");
		int topLogprobs = (int) SamplingRequest.number(json, "top_logprobs", 0, 0, 20);
		if (json.hasNonNull("top_logprobs") && !logprobs) {
			throw OpenAiException.invalid("top_logprobs", "top_logprobs needs logprobs set to true");
		}
		SamplingRequest sampling = SamplingRequest.read(json, logprobs ? topLogprobs : -1);
		int fallback = Math.max(1, this.engine.config().maxModelLength() - prompt.length);
		int maxTokens = json.hasNonNull("max_completion_tokens")
				? SamplingRequest.maxTokens(json, "max_completion_tokens", fallback)
				: SamplingRequest.maxTokens(json, "max_tokens", fallback);
		String id = GenerationCall.newId("chatcmpl-");
		GenerationRequest request = new GenerationRequest(id, adapter, GenerationCall.source(source, sha256), prompt,
				sampling.params(), maxTokens, sampling.stop(), sampling.stopTokenIds(), sampling.ignoreEos(),
				sampling.n());
		GenerationCall call = GenerationCall.start(this.engine, request);
		Responder responder = new Responder(true, id, shown, logprobs);
		if (!sampling.stream()) {
			return responder.whole(call, sampling.n());
		}
		responder.stream(call, sampling.n(), sampling.includeUsage(), response);
		return null;
	}

	private static List<ChatMessage> messages(JsonNode node) {
		if (node == null || !node.isArray() || node.isEmpty()) {
			throw OpenAiException.invalid("messages", "messages must be a non-empty array");
		}
		List<ChatMessage> messages = new ArrayList<>();
		for (int i = 0; i < node.size(); i++) {
			JsonNode m = node.get(i);
			String param = "messages[" + i + "]";
			if (!m.isObject() || !m.path("role").isString() || !ROLES.contains(m.path("role").asString())) {
				throw OpenAiException.invalid(param + ".role",
						"each message needs a role: system, developer, user, assistant or tool");
			}
			JsonNode content = m.get("content");
			String text;
			if (content == null || content.isNull()) {
				text = "";
			}
			else if (content.isString()) {
				text = content.asString();
			}
			else if (content.isArray()) {
				StringBuilder joined = new StringBuilder();
				for (JsonNode part : content) {
					if (!"text".equals(part.path("type").asString("")) || !part.path("text").isString()) {
						throw OpenAiException.invalid(param + ".content", "only text content parts are supported");
					}
					joined.append(part.get("text").asString());
				}
				text = joined.toString();
			}
			else {
				throw OpenAiException.invalid(param + ".content", "content must be a string or an array of parts");
			}
			String role = m.get("role").asString();
			messages.add(new ChatMessage(role.equals("developer") ? "system" : role, text));
		}
		return messages;
	}

}
