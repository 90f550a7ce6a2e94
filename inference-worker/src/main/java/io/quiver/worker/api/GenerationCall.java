package io.quiver.worker.api;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;

import jakarta.servlet.http.HttpServletResponse;

import io.quiver.worker.adapter.AdapterSource;
import io.quiver.worker.engine.GenerationEvent;
import io.quiver.worker.engine.GenerationRequest;
import io.quiver.worker.engine.InferenceEngine;

/**
 * One request in flight from an HTTP thread's point of view: submits it, then hands the
 * engine's events over one by one (the engine thread never blocks on a slow client).
 */
final class GenerationCall {

	private final InferenceEngine engine;

	private final String requestId;

	private final LinkedBlockingQueue<GenerationEvent> events = new LinkedBlockingQueue<>();

	private GenerationCall(InferenceEngine engine, String requestId) {
		this.engine = engine;
		this.requestId = requestId;
	}

	static String newId(String prefix) {
		return prefix + UUID.randomUUID().toString().replace("-", "");
	}

	static AdapterSource source(String uri, String sha256) {
		if (uri == null && sha256 == null) {
			return null;
		}
		java.net.URI parsed = null;
		if (uri != null) {
			try {
				parsed = java.net.URI.create(uri);
			}
			catch (IllegalArgumentException ex) {
				throw OpenAiException.invalid(null, "Quiver-Adapter-Source is not a URI");
			}
			if (parsed.getScheme() == null || !AdapterSource.SCHEMES.contains(parsed.getScheme())) {
				throw OpenAiException.invalid(null,
						"Quiver-Adapter-Source must be a file://, https://, s3:// or hf:// URI");
			}
		}
		if (sha256 != null && !sha256.matches("[0-9a-fA-F]{64}")) {
			throw OpenAiException.invalid(null, "Quiver-Adapter-Sha256 must be 64 hex digits");
		}
		return new AdapterSource(parsed, sha256);
	}

	static GenerationCall start(InferenceEngine engine, GenerationRequest request) {
		GenerationCall call = new GenerationCall(engine, request.requestId());
		engine.submit(request, call.events::add);
		return call;
	}

	/**
	 * The next event, waiting as long as generation takes.
	 * @return the event
	 */
	GenerationEvent next() {
		try {
			return this.events.take();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			cancel();
			throw new IllegalStateException("interrupted while waiting for the engine", ex);
		}
	}

	void cancel() {
		this.engine.cancel(this.requestId);
	}

	/** Opens an SSE response. */
	static OutputStream openStream(HttpServletResponse response) throws IOException {
		response.setStatus(200);
		response.setContentType("text/event-stream");
		response.setCharacterEncoding("UTF-8");
		response.setHeader("Cache-Control", "no-cache");
		response.setHeader("X-Accel-Buffering", "no");
		return response.getOutputStream();
	}

	/** Writes one SSE {@code data:} event and flushes it to the client. */
	static void send(OutputStream out, String data) throws IOException {
		out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
		out.flush();
	}

	/** Writes an error envelope as a response or, once streaming, as the last event. */
	static void sendError(HttpServletResponse response, OutputStream stream, GenerationEvent.Failed failed)
			throws IOException {
		String body = OpenAiErrors.envelope(failed.type(), null, failed.code(), failed.message());
		if (stream != null) {
			send(stream, body);
			return;
		}
		response.setStatus(failed.status());
		response.setContentType("application/json");
		response.setCharacterEncoding("UTF-8");
		response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
	}

}
