package io.quiver.gateway.openai;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.UUID;

import io.quiver.gateway.auditing.GatewayAudit;
import io.quiver.gateway.routing.InferenceProxy;
import io.quiver.gateway.routing.WorkerPool;
import io.quiver.gateway.security.Caller;
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
 * {@code model} in the caller's tenant, rewrite it to what the worker serves, and relay
 * the worker's answer.
 */
@Component
public class InferenceForwarder {

	private final InferenceProxy proxy;

	private final WorkerPool pool;

	private final JsonMapper json;

	private final int maxRequestBytes;

	private final GatewayAudit audit;

	InferenceForwarder(InferenceProxy proxy, WorkerPool pool, JsonMapper json, GatewayProperties properties,
			GatewayAudit audit) {
		this.audit = audit;
		this.proxy = proxy;
		this.pool = pool;
		this.json = json;
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
		String requestId = requestId(request);
		response.setHeader("x-request-id", requestId);
		String[] model = { "-" };
		int status = HttpStatus.INTERNAL_SERVER_ERROR.value();
		try {
			forward(endpoint, request, response, requestId, model);
			status = response.getStatus();
		}
		catch (OpenAiException ex) {
			status = ex.status().value();
			throw ex;
		}
		finally {
			this.audit.inferenceEnded(request, caller, model[0], status, (System.nanoTime() - started) / 1_000_000,
					requestId);
		}
	}

	private void forward(InferenceEndpoint endpoint, HttpServletRequest request, HttpServletResponse response,
			String requestId, String[] modelOut) throws IOException {
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
		modelOut[0] = requested;
		if (!this.pool.models().contains(requested)) {
			this.pool.refresh();
			if (!this.pool.anyUp() || this.pool.knownModels().contains(requested)) {
				throw new OpenAiException(HttpStatus.SERVICE_UNAVAILABLE, "server_error", "no_worker_available", null,
						"No inference worker is available right now. Please retry shortly.");
			}
			if (!this.pool.models().contains(requested)) {
				throw OpenAiException.modelNotFound(requested);
			}
		}
		this.proxy.forward(requested, endpoint.path(), this.json.writeValueAsBytes(body),
				Map.of("x-request-id", requestId), response);
	}

	private ObjectNode parse(HttpServletRequest request) throws IOException {
		String contentType = request.getContentType();
		if (contentType != null && !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
			throw new OpenAiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "invalid_request_error",
					"unsupported_media_type", null, "Send the request body as application/json.");
		}
		if (request.getContentLengthLong() > this.maxRequestBytes) {
			throw tooLarge();
		}
		byte[] bytes;
		try (InputStream in = request.getInputStream()) {
			bytes = in.readNBytes(this.maxRequestBytes + 1);
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

	private OpenAiException tooLarge() {
		return new OpenAiException(HttpStatus.CONTENT_TOO_LARGE, "invalid_request_error", "request_too_large", null,
				"The request body exceeds " + this.maxRequestBytes + " bytes.");
	}

	private static String requestId(HttpServletRequest request) {
		String given = request.getHeader("x-request-id");
		if (given != null && given.length() <= 64 && given.matches("[A-Za-z0-9._:-]+")) {
			return given;
		}
		return "req_" + UUID.randomUUID().toString().replace("-", "");
	}

}
