package io.quiver.gateway.routing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.quiver.gateway.openai.OpenAiErrors;
import io.quiver.gateway.openai.OpenAiException;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Forwards one OpenAI request to a worker and relays the answer as it arrives:
 * Server-Sent Events are passed through chunk by chunk, never buffered. A failure before
 * anything reached the client becomes an OpenAI error response; a stream that breaks
 * midway ends with an OpenAI-shaped error event, never a silent truncation.
 */
@Component
public class InferenceProxy {

	private static final Logger log = LoggerFactory.getLogger(InferenceProxy.class);

	/**
	 * The largest non-streaming answer relayed; far above any completion a worker
	 * produces.
	 */
	private static final int MAX_ANSWER_BYTES = 16 * 1024 * 1024;

	private final WorkerPool pool;

	private final RoutingProperties properties;

	InferenceProxy(WorkerPool pool, RoutingProperties properties) {
		this.pool = pool;
		this.properties = properties;
	}

	/**
	 * @param model the base model the request needs
	 * @param path the worker path, e.g. {@code /v1/chat/completions}
	 * @param body the request body as the worker should see it
	 * @param headers extra headers for the worker (adapter source, request id)
	 * @param response where the answer goes
	 * @throws IOException if the client went away
	 */
	public void forward(String model, String path, byte[] body, Map<String, String> headers,
			HttpServletResponse response) throws IOException {
		Worker worker = this.pool.choose(model).orElseGet(() -> {
			this.pool.refresh();
			return this.pool.choose(model)
				.orElseThrow(() -> new OpenAiException(HttpStatus.SERVICE_UNAVAILABLE, "server_error",
						"no_worker_available", null,
						"No inference worker is available for this model right now. Please retry shortly."));
		});
		HttpRequest.Builder request = HttpRequest.newBuilder(this.pool.uriOf(worker, path))
			.timeout(this.properties.responseTimeout())
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofByteArray(body));
		headers.forEach(request::header);
		worker.acquire();
		try {
			HttpResponse<InputStream> upstream;
			try {
				upstream = this.pool.http().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
			}
			catch (HttpConnectTimeoutException | ConnectException ex) {
				worker.markDown();
				throw new OpenAiException(HttpStatus.SERVICE_UNAVAILABLE, "server_error", "worker_unavailable", null,
						"The inference worker could not be reached. Please retry.");
			}
			catch (HttpTimeoutException ex) {
				throw new OpenAiException(HttpStatus.GATEWAY_TIMEOUT, "server_error", "worker_timeout", null,
						"The inference worker did not answer in time.");
			}
			catch (IOException ex) {
				throw new OpenAiException(HttpStatus.BAD_GATEWAY, "server_error", "worker_error", null,
						"The inference worker failed to answer.");
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new OpenAiException(HttpStatus.SERVICE_UNAVAILABLE, "server_error", null, null,
						"The request was interrupted.");
			}
			relay(worker, upstream, response);
		}
		finally {
			worker.release();
		}
	}

	private void relay(Worker worker, HttpResponse<InputStream> upstream, HttpServletResponse response)
			throws IOException {
		String contentType = upstream.headers().firstValue("Content-Type").orElse("application/json");
		if (!contentType.startsWith("text/event-stream")) {
			relayWhole(worker, upstream, contentType, response);
			return;
		}
		boolean sentAnything = false;
		try (InputStream in = upstream.body()) {
			response.setStatus(upstream.statusCode());
			response.setContentType(contentType);
			response.setHeader("Cache-Control", "no-cache");
			response.setHeader("X-Accel-Buffering", "no");
			OutputStream out = response.getOutputStream();
			byte[] buffer = new byte[8192];
			int read;
			while (true) {
				try {
					read = in.read(buffer);
				}
				catch (IOException ex) {
					log.warn("Worker {} broke off its stream: {}", worker, ex.toString());
					brokenUpstream(response, sentAnything);
					return;
				}
				if (read < 0) {
					break;
				}
				out.write(buffer, 0, read);
				out.flush();
				sentAnything = true;
			}
		}
	}

	/**
	 * A non-streaming answer is small: it is read whole first, so that a worker failing
	 * halfway becomes a clean 502 instead of truncated JSON.
	 */
	private void relayWhole(Worker worker, HttpResponse<InputStream> upstream, String contentType,
			HttpServletResponse response) throws IOException {
		byte[] body;
		try (InputStream in = upstream.body()) {
			body = in.readNBytes(MAX_ANSWER_BYTES + 1);
		}
		catch (IOException ex) {
			log.warn("Worker {} broke off its answer: {}", worker, ex.toString());
			brokenUpstream(response, false);
			return;
		}
		if (body.length > MAX_ANSWER_BYTES || !looksLikeJsonObject(body)) {
			log.warn("Worker {} sent a malformed answer ({} bytes, status {})", worker, body.length,
					upstream.statusCode());
			brokenUpstream(response, false);
			return;
		}
		response.setStatus(upstream.statusCode());
		response.setContentType(contentType);
		response.setContentLength(body.length);
		response.getOutputStream().write(body);
	}

	private static boolean looksLikeJsonObject(byte[] body) {
		int first = 0;
		while (first < body.length && Character.isWhitespace(body[first])) {
			first++;
		}
		int last = body.length - 1;
		while (last > first && Character.isWhitespace(body[last])) {
			last--;
		}
		return first < last && body[first] == '{' && body[last] == '}';
	}

	private static void brokenUpstream(HttpServletResponse response, boolean sentAnything) throws IOException {
		String message = "The inference worker failed while answering.";
		if (!sentAnything) {
			OpenAiErrors.write(response, 502, "server_error", "worker_error", null, message);
			return;
		}
		OutputStream out = response.getOutputStream();
		out.write(("data: " + OpenAiErrors.envelope("server_error", "worker_error", null, message) + "\n\n")
			.getBytes(StandardCharsets.UTF_8));
		out.flush();
	}

}
