package io.quiver.worker.api;

import java.io.IOException;

import jakarta.servlet.http.HttpServletResponse;

import io.quiver.worker.engine.GenerationRequest;
import io.quiver.worker.engine.InferenceEngine;
import tools.jackson.databind.JsonNode;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /v1/completions}: OpenAI's text completions, whole or streamed.
 */
@RestController
class CompletionsController {

	private final InferenceEngine engine;

	private final ModelIds modelIds;

	CompletionsController(InferenceEngine engine, ModelIds modelIds) {
		this.engine = engine;
		this.modelIds = modelIds;
	}

	@PostMapping("/v1/completions")
	ResponseEntity<String> complete(@RequestBody(required = false) String body,
			@RequestHeader(name = "Quiver-Adapter-Source", required = false) String source,
			@RequestHeader(name = "Quiver-Adapter-Sha256", required = false) String sha256,
			@RequestHeader(name = "Quiver-Model-Name", required = false) String shownAs, HttpServletResponse response)
			throws IOException {
		JsonNode json = RequestBodies.parse(body);
		String model = RequestBodies.model(json);
		String adapter = RequestBodies.adapter(this.engine, this.modelIds, model, source, sha256);
		String shown = RequestBodies.shownModel(model, shownAs);
		if (json.path("echo").asBoolean(false)) {
			throw OpenAiException.invalid("echo", "echo is not supported by this worker");
		}
		if (json.hasNonNull("best_of") && json.get("best_of").asInt(1) > 1) {
			throw OpenAiException.invalid("best_of", "best_of is not supported by this worker");
		}
		if (json.hasNonNull("suffix")) {
			throw OpenAiException.invalid("suffix", "suffix is not supported by this worker");
		}
		int[] prompt = prompt(json.get("prompt"));
		int logprobs = -1;
		if (json.hasNonNull("logprobs")) {
			logprobs = (int) SamplingRequest.number(json, "logprobs", 0, 0, 20);
		}
		SamplingRequest sampling = SamplingRequest.read(json, logprobs);
		int maxTokens = SamplingRequest.maxTokens(json, "max_tokens", 16);
		String id = GenerationCall.newId("cmpl-");
		GenerationRequest request = new GenerationRequest(id, adapter, GenerationCall.source(source, sha256), prompt,
				sampling.params(), maxTokens, sampling.stop(), sampling.stopTokenIds(), sampling.ignoreEos(),
				sampling.n());
		GenerationCall call = GenerationCall.start(this.engine, request);
		Responder responder = new Responder(false, id, shown, logprobs >= 0);
		if (!sampling.stream()) {
			return responder.whole(call, sampling.n());
		}
		responder.stream(call, sampling.n(), sampling.includeUsage(), response);
		return null;
	}

	private int[] prompt(JsonNode node) {
		if (node == null || node.isNull()) {
			throw OpenAiException.invalid("prompt", "prompt is required");
		}
		if (node.isString()) {
			return encode(node.asString());
		}
		if (node.isArray() && node.size() > 0) {
			if (node.get(0).isString()) {
				if (node.size() > 1) {
					throw OpenAiException.invalid("prompt", "send one prompt per request to this worker");
				}
				return encode(node.get(0).asString());
			}
			if (node.get(0).isArray()) {
				if (node.size() > 1) {
					throw OpenAiException.invalid("prompt", "send one prompt per request to this worker");
				}
				return tokenIds(node.get(0));
			}
			return tokenIds(node);
		}
		throw OpenAiException.invalid("prompt", "prompt must be a string, or an array of token ids");
	}

	private int[] encode(String text) {
		int[] ids = this.engine.tokenizer().encode(text, true);
		if (ids.length == 0) {
			throw OpenAiException.invalid("prompt", "prompt must not be empty");
		}
		return ids;
	}

	private int[] tokenIds(JsonNode node) {
		int vocab = this.engine.modelConfig().vocabSize();
		int[] ids = new int[node.size()];
		for (int i = 0; i < ids.length; i++) {
			JsonNode id = node.get(i);
			if (!id.isIntegralNumber() || id.asInt() < 0 || id.asInt() >= vocab) {
				throw OpenAiException.invalid("prompt", "prompt token ids must be integers in [0, " + vocab + ")");
			}
			ids[i] = id.asInt();
		}
		if (ids.length == 0) {
			throw OpenAiException.invalid("prompt", "prompt must not be empty");
		}
		return ids;
	}

}
