package io.quiver.gateway.openai;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import io.quiver.gateway.limits.LimitEnforcer;
import io.quiver.gateway.routing.InferenceCall;
import io.quiver.gateway.routing.InferenceProxy;
import io.quiver.gateway.routing.WorkerPool;
import io.quiver.gateway.security.Caller;
import io.quiver.gateway.usage.UsageCapture;
import io.quiver.gateway.usage.UsageRecorder;
import io.quiver.tenancy.adapter.ResolvedAdapter;
import io.quiver.tenancy.usage.UsageRecord;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The shared path of every generation request: read a bounded body, validate it, resolve
 * {@code model} in the caller's tenant, rewrite it to what the worker serves, admit it
 * against the limits, relay the worker's answer, and meter what it used.
 */
@Component
public class InferenceForwarder {

	private final InferenceProxy proxy;

	private final WorkerPool pool;

	private final JsonMapper json;

	private final int maxRequestBytes;

	private final AdapterResolver adapters;

	private final LimitEnforcer limits;

	private final UsageRecorder usage;

	InferenceForwarder(InferenceProxy proxy, WorkerPool pool, JsonMapper json, GatewayProperties properties,
			AdapterResolver adapters, LimitEnforcer limits, UsageRecorder usage) {
		this.proxy = proxy;
		this.pool = pool;
		this.json = json;
		this.adapters = adapters;
		this.limits = limits;
		this.usage = usage;
		this.maxRequestBytes = (int) Math.min(Integer.MAX_VALUE - 1, properties.maxRequestSize().toBytes());
	}

	/**
	 * A chat completion for the console's playground: the request's JSON body goes the
	 * same way as one to {@code /v1/chat/completions}, validated, routed, relayed and
	 * audited, in the name of the given caller.
	 * @param caller the signed-in user, acting in the tenant they opened
	 * @param request carries the OpenAI-shaped JSON body
	 * @param response receives the worker's answer
	 * @throws IOException if the client or the worker connection fails
	 */
	public void chat(Caller caller, HttpServletRequest request, HttpServletResponse response) throws IOException {
		forward(InferenceEndpoint.CHAT, caller, request, response);
	}

	void forward(InferenceEndpoint endpoint, Caller caller, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		long started = System.nanoTime();
		Instant receivedAt = Instant.now();
		String requestId = requestId(request);
		response.setHeader("x-request-id", requestId);
		Attempt attempt = new Attempt();
		try {
			forward(endpoint, caller, request, response, started, receivedAt, requestId, attempt);
		}
		catch (OpenAiException ex) {
			if (!attempt.recorded) {
				// Refused before any worker was asked (bad input, unknown model, limits,
				// no worker): metered and
				// audited all the same, with no tokens.
				this.usage.record(new UsageRecord(caller.tenantId(), caller.keyPublicId(), caller.subject(),
						(attempt.model != null) ? attempt.model : "-", null, 0, 0, millisSince(started),
						ex.status().value(), requestId, receivedAt));
			}
			throw ex;
		}
	}

	private void forward(InferenceEndpoint endpoint, Caller caller, HttpServletRequest request,
			HttpServletResponse response, long started, Instant receivedAt, String requestId, Attempt attempt)
			throws IOException {
		ObjectNode body = parse(request);
		JsonNode model = body.get("model");
		if (model == null || !model.isString() || model.stringValue().isBlank() || model.stringValue().length() > 256) {
			throw OpenAiException.invalidRequest("model", "'model' must be a non-empty string.");
		}
		JsonNode stream = body.get("stream");
		if (stream != null && !stream.isBoolean() && !stream.isNull()) {
			throw OpenAiException.invalidRequest("stream", "'stream' must be a boolean.");
		}
		endpoint.validate(body);
		String requested = model.stringValue();
		attempt.model = requested;
		if (!caller.mayUse(requested)) {
			throw OpenAiException.modelNotFound(requested);
		}
		Target target = target(caller, requested);
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("x-request-id", requestId);
		if (target.adapter() != null) {
			body.put("model", target.adapter().id());
			headers.put(InferenceCall.ADAPTER_SOURCE, target.adapter().sourceUri());
			headers.put(InferenceCall.ADAPTER_SHA256, target.adapter().sha256());
			// the adapter's own name (validated when it was registered), pinned to its
			// version if the caller pinned it, rather than the caller's raw text
			ResolvedAdapter adapter = target.adapter();
			headers.put(InferenceCall.MODEL_NAME,
					requested.equals(adapter.name()) ? adapter.name() : adapter.name() + "@" + adapter.version());
		}
		boolean streaming = stream != null && stream.asBoolean(false);
		boolean clientWantsUsage = true;
		if (streaming) {
			// Metering needs the worker's usage chunk; the client sees it only if it
			// asked.
			JsonNode options = body.path("stream_options");
			clientWantsUsage = options.path("include_usage").asBoolean(false);
			ObjectNode forwarded = options.isObject() ? (ObjectNode) options : body.putObject("stream_options");
			forwarded.put("include_usage", true);
		}
		byte[] forwardedBody = this.json.writeValueAsBytes(body);
		LimitEnforcer.Admission admission = this.limits.admit(caller, estimateTokens(body, forwardedBody.length),
				response);
		UsageCapture capture = new UsageCapture(response, !clientWantsUsage);
		InferenceCall call = new InferenceCall(caller.tenant(), target.baseModel(),
				(target.adapter() != null) ? target.adapter().id() : null, endpoint.path(), forwardedBody, headers,
				request.getHeader("traceparent"));
		try {
			this.proxy.forward(call, capture);
			capture.finish();
		}
		catch (OpenAiException ex) {
			capture.setStatus(ex.status().value());
			throw ex;
		}
		finally {
			long tokens = capture.promptTokens() + capture.completionTokens();
			if (capture.counted()) {
				this.proxy.tokensUsed(call, capture.promptTokens(), capture.completionTokens());
			}
			this.limits.settle(admission, tokens);
			attempt.recorded = true;
			this.usage.record(new UsageRecord(caller.tenantId(), caller.keyPublicId(), caller.subject(),
					target.baseModel(), (target.adapter() != null) ? target.adapter().id() : null,
					(int) capture.promptTokens(), (int) capture.completionTokens(), millisSince(started),
					capture.status(), requestId, receivedAt));
		}
	}

	/**
	 * The base model and (if any) adapter a request runs on. A base model name wins over
	 * an adapter of the same name; an unknown name and another tenant's adapter give the
	 * same 404.
	 */
	private Target target(Caller caller, String requested) {
		if (this.pool.models().contains(requested)) {
			return new Target(requested, null);
		}
		Optional<ResolvedAdapter> adapter = this.adapters.resolve(caller.tenantId(), requested);
		if (adapter.isPresent()) {
			return new Target(adapter.get().baseModel(), adapter.get());
		}
		// Waits (bounded) when the pool is scaled to zero or the model's workers are all
		// out of rotation; a model
		// no worker has ever reported is unknown (404), one that is only temporarily
		// unserved is an outage (503).
		if (!this.pool.awaitModel(requested)) {
			throw OpenAiException.modelNotFound(requested);
		}
		return new Target(requested, null);
	}

	/**
	 * Reserves about four bytes of prompt per token plus the completion's stated maximum
	 * (or the configured estimate); the worker's count replaces it afterwards.
	 */
	private long estimateTokens(JsonNode body, int bodyBytes) {
		JsonNode max = body.has("max_completion_tokens") ? body.get("max_completion_tokens") : body.get("max_tokens");
		long completion = (max != null && max.canConvertToLong() && max.asLong() > 0) ? max.asLong()
				: this.limits.completionEstimate();
		return bodyBytes / 4 + completion;
	}

	private ObjectNode parse(HttpServletRequest request) throws IOException {
		String contentType = request.getContentType();
		if (contentType != null && !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
			throw new OpenAiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "invalid_request_error",
					"unsupported_media_type", null, "Send the request body as application/json.");
		}
		long declared = request.getContentLengthLong();
		if (declared > this.maxRequestBytes) {
			throw tooLarge();
		}
		byte[] bytes;
		try (InputStream in = request.getInputStream()) {
			bytes = (declared >= 0) ? readDeclared(in, (int) declared) : in.readNBytes(this.maxRequestBytes + 1);
		}
		if (bytes.length > this.maxRequestBytes) {
			throw tooLarge();
		}
		JsonNode node;
		try {
			node = this.json.readTree(bytes);
		}
		catch (JacksonException ex) {
			throw OpenAiException.invalidRequest(null,
					"We could not parse the JSON body of your request. Send valid JSON (UTF-8).");
		}
		if (node == null || !node.isObject()) {
			throw OpenAiException.invalidRequest(null, "The request body must be a JSON object.");
		}
		return (ObjectNode) node;
	}

	/**
	 * Reads a body of known length into an array of exactly that size: reading up to the
	 * limit instead would allocate and copy buffers of 16 kB for a body of a few hundred
	 * bytes, on every request.
	 */
	private static byte[] readDeclared(InputStream in, int length) throws IOException {
		byte[] bytes = new byte[length];
		int read = in.readNBytes(bytes, 0, length);
		if (read < length) {
			throw OpenAiException.invalidRequest(null, "The request body ended before its Content-Length.");
		}
		return bytes;
	}

	private OpenAiException tooLarge() {
		return new OpenAiException(HttpStatus.CONTENT_TOO_LARGE, "invalid_request_error", "request_too_large", null,
				"The request body exceeds " + this.maxRequestBytes + " bytes.");
	}

	private record Target(String baseModel, ResolvedAdapter adapter) {
	}

	private static int millisSince(long started) {
		return (int) Math.min(Integer.MAX_VALUE, (System.nanoTime() - started) / 1_000_000);
	}

	/**
	 * What is known of a request while it is handled, for metering it however it ends.
	 */
	private static final class Attempt {

		private String model;

		private boolean recorded;

	}

	/**
	 * The caller's {@code x-request-id} when it is a plain token, else a new one: 128
	 * random bits, which only need to be unique (an id correlates a request's log lines,
	 * usage and audit event, and grants nothing), so they come from the thread's
	 * generator rather than the shared, locked {@code SecureRandom} of
	 * {@code UUID.randomUUID()}.
	 */
	private static String requestId(HttpServletRequest request) {
		String given = request.getHeader("x-request-id");
		if (given != null && isToken(given)) {
			return given;
		}
		ThreadLocalRandom random = ThreadLocalRandom.current();
		return "req_" + hex(random.nextLong()) + hex(random.nextLong());
	}

	private static boolean isToken(String id) {
		if (id.isEmpty() || id.length() > 64) {
			return false;
		}
		for (int i = 0; i < id.length(); i++) {
			char c = id.charAt(i);
			if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
					|| c == ':' || c == '-')) {
				return false;
			}
		}
		return true;
	}

	private static String hex(long bits) {
		return HexFormat.of().toHexDigits(bits);
	}

}
