package io.quiver.worker.api;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.quiver.worker.sampler.SamplingParams;
import tools.jackson.databind.JsonNode;

/**
 * The sampling fields that completions and chat completions share, read and checked from
 * a request body (OpenAI's fields plus vLLM's {@code top_k}, {@code min_p},
 * {@code repetition_penalty}, {@code stop_token_ids}, {@code ignore_eos}).
 */
record SamplingRequest(SamplingParams params, List<String> stop, Set<Integer> stopTokenIds, boolean ignoreEos, int n,
		boolean stream, boolean includeUsage) {

	static SamplingRequest read(JsonNode body, int topLogprobs) {
		double temperature = number(body, "temperature", 1.0, 0, 2);
		double topP = number(body, "top_p", 1.0, 0, 1);
		if (body.hasNonNull("top_p") && topP <= 0) {
			throw OpenAiException.invalid("top_p", "top_p must be in (0, 1]");
		}
		int topK = (int) number(body, "top_k", 0, -1, 1_000_000);
		double minP = number(body, "min_p", 0, 0, 1);
		double presence = number(body, "presence_penalty", 0, -2, 2);
		double frequency = number(body, "frequency_penalty", 0, -2, 2);
		double repetition = number(body, "repetition_penalty", 1, 0.01, 10);
		Long seed = null;
		if (body.hasNonNull("seed")) {
			if (!body.get("seed").isIntegralNumber()) {
				throw OpenAiException.invalid("seed", "seed must be an integer");
			}
			seed = body.get("seed").asLong();
		}
		int n = (int) number(body, "n", 1, 1, 16);
		if (body.hasNonNull("n") && !body.get("n").isIntegralNumber()) {
			throw OpenAiException.invalid("n", "n must be an integer");
		}
		List<String> stop = new ArrayList<>();
		JsonNode stopNode = body.path("stop");
		if (stopNode.isString()) {
			stop.add(stopNode.asString());
		}
		else if (stopNode.isArray()) {
			if (stopNode.size() > 16) {
				throw OpenAiException.invalid("stop", "stop takes at most 16 strings");
			}
			for (JsonNode s : stopNode) {
				if (!s.isString()) {
					throw OpenAiException.invalid("stop", "stop must be a string or an array of strings");
				}
				stop.add(s.asString());
			}
		}
		else if (!stopNode.isMissingNode() && !stopNode.isNull()) {
			throw OpenAiException.invalid("stop", "stop must be a string or an array of strings");
		}
		Set<Integer> stopIds = new LinkedHashSet<>();
		JsonNode idsNode = body.path("stop_token_ids");
		if (idsNode.isArray()) {
			for (JsonNode id : idsNode) {
				if (!id.isIntegralNumber()) {
					throw OpenAiException.invalid("stop_token_ids", "stop_token_ids must be integers");
				}
				stopIds.add(id.asInt());
			}
		}
		else if (!idsNode.isMissingNode() && !idsNode.isNull()) {
			throw OpenAiException.invalid("stop_token_ids", "stop_token_ids must be an array of integers");
		}
		JsonNode logitBias = body.path("logit_bias");
		if (logitBias.isObject() && logitBias.size() > 0) {
			throw OpenAiException.invalid("logit_bias", "logit_bias is not supported by this worker");
		}
		boolean stream = bool(body, "stream");
		boolean includeUsage = stream && body.path("stream_options").path("include_usage").asBoolean(false);
		SamplingParams params = new SamplingParams(temperature, topP, Math.max(topK, 0), minP, presence, frequency,
				repetition, seed, topLogprobs);
		return new SamplingRequest(params, stop, stopIds, bool(body, "ignore_eos"), n, stream, includeUsage);
	}

	static double number(JsonNode body, String field, double fallback, double min, double max) {
		JsonNode node = body.get(field);
		if (node == null || node.isNull()) {
			return fallback;
		}
		if (!node.isNumber()) {
			throw OpenAiException.invalid(field, field + " must be a number");
		}
		double value = node.asDouble();
		if (value < min || value > max) {
			throw OpenAiException.invalid(field, field + " must be between " + format(min) + " and " + format(max));
		}
		return value;
	}

	private static String format(double value) {
		return (value == Math.rint(value)) ? String.valueOf((long) value) : String.valueOf(value);
	}

	static boolean bool(JsonNode body, String field) {
		JsonNode node = body.get(field);
		if (node == null || node.isNull()) {
			return false;
		}
		if (!node.isBoolean()) {
			throw OpenAiException.invalid(field, field + " must be a boolean");
		}
		return node.asBoolean();
	}

	static int maxTokens(JsonNode body, String field, int fallback) {
		JsonNode node = body.get(field);
		if (node == null || node.isNull()) {
			return fallback;
		}
		if (!node.isIntegralNumber() || node.asLong() < 1 || node.asLong() > Integer.MAX_VALUE) {
			throw OpenAiException.invalid(field, field + " must be a positive integer");
		}
		return node.asInt();
	}

}
