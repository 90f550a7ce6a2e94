package io.quiver.gateway.routing;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.quiver.gateway.openai.OpenAiErrors;
import io.quiver.gateway.openai.OpenAiException;
import io.quiver.gateway.routing.StreamWatchdog.Watch;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;

/**
 * Forwards one OpenAI request to a worker and relays the answer as it arrives:
 * Server-Sent Events are passed through chunk by chunk, never buffered.
 * <p>
 * Resilience: a bulkhead per tenant; a circuit breaker per worker; time limits for the
 * connection, the first byte, the silence between stream chunks and the whole answer; a
 * failed attempt is retried on another worker as long as nothing has reached the client.
 * After that, a stream that breaks (or ends without {@code data: [DONE]}) ends with an
 * OpenAI-shaped error event, never a hang or a silent truncation.
 * <p>
 * Every answer carries {@code x-quiver-route} ({@code hit}, {@code placed},
 * {@code spilled}, {@code base}) and {@code x-quiver-worker} (an opaque worker id).
 */
public class InferenceProxy {

	/** The header that says why the request went where it went. */
	public static final String ROUTE_HEADER = "x-quiver-route";

	/** The header that names (opaquely) the worker that answered. */
	public static final String WORKER_HEADER = "x-quiver-worker";

	private static final Logger log = LoggerFactory.getLogger(InferenceProxy.class);

	/**
	 * The largest non-streaming answer relayed; far above any completion a worker
	 * produces.
	 */
	private static final int MAX_ANSWER_BYTES = 16 * 1024 * 1024;

	private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

	private final WorkerPool pool;

	private final WorkerRouter router;

	private final AdapterPreloader preloader;

	private final BulkheadRegistry bulkheads;

	/**
	 * The registry's bulkheads by tenant: its own lookup merges tags and reads the
	 * default configuration on every call.
	 */
	private final Map<String, Bulkhead> tenantBulkheads = new ConcurrentHashMap<>();

	private final RoutingMetrics metrics;

	private final JsonMapper json;

	private final StreamWatchdog watchdog = new StreamWatchdog();

	private final AtomicInteger active = new AtomicInteger();

	private final long firstByteNanos;

	private final long idleNanos;

	private final long totalNanos;

	private final int maxAttempts;

	private volatile boolean draining;

	InferenceProxy(WorkerPool pool, WorkerRouter router, AdapterPreloader preloader, BulkheadRegistry bulkheads,
			RoutingMetrics metrics, JsonMapper json, RoutingProperties properties) {
		this.json = json;
		this.pool = pool;
		this.router = router;
		this.preloader = preloader;
		this.bulkheads = bulkheads;
		this.metrics = metrics;
		this.firstByteNanos = properties.firstByteTimeout().toNanos();
		this.idleNanos = properties.idleTimeout().toNanos();
		this.totalNanos = properties.totalTimeout().toNanos();
		this.maxAttempts = properties.maxAttempts();
	}

	/**
	 * @param call what to forward
	 * @param response where the answer goes
	 * @throws OpenAiException when no worker could answer and nothing was sent yet
	 */
	public void forward(InferenceCall call, HttpServletResponse response) {
		if (this.draining) {
			response.setHeader("Connection", "close");
			throw new OpenAiException(HttpStatus.SERVICE_UNAVAILABLE, "server_error", "gateway_draining", null,
					"This gateway is shutting down. Please retry.");
		}
		Bulkhead bulkhead = this.tenantBulkheads.computeIfAbsent(call.tenant(), this.bulkheads::bulkhead);
		if (!bulkhead.tryAcquirePermission()) {
			this.metrics.error("bulkhead_full");
			response.setHeader("Retry-After", "1");
			throw new OpenAiException(HttpStatus.TOO_MANY_REQUESTS, "rate_limit_error", "concurrency_limit_exceeded",
					null, "Too many concurrent requests for this tenant. Please retry shortly.");
		}
		this.active.incrementAndGet();
		long start = System.nanoTime();
		try {
			forward(call, response, start);
		}
		finally {
			this.metrics.duration(operation(call), System.nanoTime() - start);
			this.active.decrementAndGet();
			bulkhead.onComplete();
		}
	}

	private void forward(InferenceCall call, HttpServletResponse response, long start) {
		long totalDeadline = start + this.totalNanos;
		String traceparent = TraceContext.child(call.traceparent());
		List<Worker> tried = null;
		OpenAiException failure = null;
		for (int attempt = 0; attempt < this.maxAttempts; attempt++) {
			RoutingDecision decision = (attempt == 0) ? this.router.route(call.baseModel(), call.adapterId())
					: this.router.route(this.pool.workers(), call.baseModel(), call.adapterId(), tried);
			if (decision == null) {
				break;
			}
			if (attempt == 0 && call.adapterId() != null) {
				Map<String, String> headers = call.headers();
				this.router.source(call.adapterId(), call.baseModel(), headers.get(InferenceCall.ADAPTER_SOURCE),
						headers.get(InferenceCall.ADAPTER_SHA256));
			}
			Worker worker = decision.worker();
			if (tried == null) {
				tried = new ArrayList<>(this.maxAttempts);
			}
			tried.add(worker);
			if (!worker.breaker().tryAcquirePermission()) {
				this.metrics.error("circuit_open");
				failure = unavailable();
				continue;
			}
			this.metrics.decision(decision.outcome());
			failure = attempt(call, decision, traceparent, start, totalDeadline, response);
			if (failure == null || System.nanoTime() - totalDeadline >= 0) {
				break;
			}
		}
		if (failure != null) {
			throw failure;
		}
		if (tried == null) {
			throw unavailable();
		}
	}

	/**
	 * @return {@code null} when the answer (or the rest of it) went to the client; the
	 * failure when nothing did and another worker may be tried
	 */
	private OpenAiException attempt(InferenceCall call, RoutingDecision decision, String traceparent, long start,
			long totalDeadline, HttpServletResponse response) {
		Worker worker = decision.worker();
		CircuitBreaker breaker = worker.breaker();
		long sent = System.nanoTime();
		if (call.adapterId() != null && worker.dialect() == WorkerDialect.VLLM
				&& !worker.status().holds(call.adapterId())) {
			Map<String, String> headers = call.headers();
			if (!this.preloader.load(worker, call.adapterId(), headers.get(InferenceCall.ADAPTER_SOURCE),
					headers.get(InferenceCall.ADAPTER_SHA256))) {
				breaker.releasePermission();
				return workerError("The inference worker could not load the adapter.");
			}
		}
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("Content-Type", "application/json");
		headers.put("traceparent", traceparent);
		headers.putAll(call.headers());
		long firstByte = Math.max(1, Math.min(this.firstByteNanos, totalDeadline - sent));
		worker.acquire();
		try {
			WorkerHttp.Response upstream;
			try {
				upstream = this.pool.http()
					.send(worker.uri(call.path()), "POST", headers, call.body(), Duration.ofNanos(firstByte),
							Duration.ofNanos(Math.max(this.firstByteNanos, this.idleNanos)));
			}
			catch (WorkerHttp.ConnectFailedException ex) {
				breaker.onError(System.nanoTime() - sent, TimeUnit.NANOSECONDS, ex);
				this.pool.eject(worker);
				this.metrics.error("connect");
				return unavailable();
			}
			catch (SocketTimeoutException ex) {
				breaker.onError(System.nanoTime() - sent, TimeUnit.NANOSECONDS, ex);
				this.metrics.error("timeout");
				return timeout();
			}
			catch (IOException ex) {
				breaker.onError(System.nanoTime() - sent, TimeUnit.NANOSECONDS, ex);
				this.metrics.error("broken");
				return workerError("The inference worker failed to answer.");
			}
			int status = upstream.status();
			if (status >= 500 || status == 429) {
				upstream.close();
				if (status == 503 || status == 429) {
					// Busy or draining: healthy, just full. Another worker may have room.
					breaker.onSuccess(System.nanoTime() - sent, TimeUnit.NANOSECONDS);
				}
				else {
					breaker.onError(System.nanoTime() - sent, TimeUnit.NANOSECONDS,
							new IOException("status " + status));
				}
				this.metrics.error("status_" + status / 100 + "xx");
				return (status == 503 || status == 429) ? unavailable()
						: workerError("The inference worker failed to answer.");
			}
			response.setHeader(ROUTE_HEADER, decision.outcome().value());
			if (status == 200 && call.adapterId() != null) {
				// The worker loaded the adapter to answer: route to it as a hit from now
				// on, without waiting for its next status poll.
				worker.held(call.adapterId());
			}
			response.setHeader(WORKER_HEADER, worker.id());
			String contentType = upstream.header("content-type");
			if (contentType == null) {
				contentType = "application/json";
			}
			if (status == 200 && contentType.startsWith("text/event-stream")) {
				return relayStream(call, worker, upstream, contentType, start, sent, totalDeadline, response);
			}
			return relayWhole(call, worker, upstream, contentType, sent, totalDeadline, response);
		}
		finally {
			worker.release();
		}
	}

	private OpenAiException relayStream(InferenceCall call, Worker worker, WorkerHttp.Response upstream,
			String contentType, long start, long sent, long totalDeadline, HttpServletResponse response) {
		CircuitBreaker breaker = worker.breaker();
		byte[] buffer = new byte[8192];
		// The last bytes seen, to tell a stream that ended with [DONE] from one cut
		// short.
		byte[] tail = new byte[32];
		int tailLength = 0;
		boolean wrote = false;
		String failure = null;
		InputStream in = upstream.body();
		try (Watch watch = this.watchdog.watch(in, sent + this.firstByteNanos, totalDeadline)) {
			OutputStream out = null;
			while (true) {
				int read;
				try {
					read = in.read(buffer);
				}
				catch (IOException ex) {
					failure = (watch.expired() || ex instanceof SocketTimeoutException) ? "timeout" : "broken_stream";
					break;
				}
				if (read < 0) {
					break;
				}
				long now = System.nanoTime();
				watch.extend(now + this.idleNanos);
				if (!wrote) {
					this.metrics.firstToken(operation(call), now - start);
					response.setStatus(200);
					response.setContentType(contentType);
					response.setHeader("Cache-Control", "no-cache");
					response.setHeader("X-Accel-Buffering", "no");
				}
				tailLength = appendTail(tail, tailLength, buffer, read);
				try {
					if (out == null) {
						out = response.getOutputStream();
					}
					out.write(buffer, 0, read);
					out.flush();
				}
				catch (IOException ex) {
					// The client left: stop the worker's generation by closing its
					// stream.
					closeQuietly(in);
					breaker.onSuccess(System.nanoTime() - sent, TimeUnit.NANOSECONDS);
					this.metrics.error("client_closed");
					return null;
				}
				wrote = true;
			}
		}
		finally {
			closeQuietly(in);
		}
		if (failure == null && indexOf(tail, tailLength, DONE) < 0) {
			failure = "truncated_stream";
		}
		if (failure == null) {
			breaker.onSuccess(System.nanoTime() - sent, TimeUnit.NANOSECONDS);
			return null;
		}
		breaker.onError(System.nanoTime() - sent, TimeUnit.NANOSECONDS, new IOException(failure));
		this.metrics.error(failure);
		log.warn("Worker {} {} ({} after {} ms)", worker.id(), failure.replace('_', ' '),
				wrote ? "midway" : "before the first byte", (System.nanoTime() - sent) / 1_000_000);
		if (!wrote) {
			return "timeout".equals(failure) ? timeout() : workerError("The inference worker failed while answering.");
		}
		writeErrorEvent(response, "timeout".equals(failure) ? "The inference worker stopped answering in time."
				: "The inference worker failed while answering.", "timeout".equals(failure));
		return null;
	}

	/**
	 * A non-streaming answer is small: it is read whole first, so that a worker failing
	 * halfway becomes a clean 502 (or another worker's answer) instead of truncated JSON.
	 */
	private OpenAiException relayWhole(InferenceCall call, Worker worker, WorkerHttp.Response upstream,
			String contentType, long sent, long totalDeadline, HttpServletResponse response) {
		CircuitBreaker breaker = worker.breaker();
		InputStream in = upstream.body();
		byte[] body;
		try (Watch watch = this.watchdog.watch(in, System.nanoTime() + this.firstByteNanos, totalDeadline); in) {
			try {
				// Of a declared length, read into an array of exactly that size: reading
				// up to the limit would allocate and copy 16 kB buffers for a small
				// answer. An answer that ends early is a broken one, not a shorter one.
				long length = upstream.contentLength();
				if (length >= 0 && length <= MAX_ANSWER_BYTES) {
					body = new byte[(int) length];
					if (in.readNBytes(body, 0, body.length) < body.length) {
						throw new EOFException("the answer ended before its Content-Length");
					}
				}
				else {
					body = in.readNBytes(MAX_ANSWER_BYTES + 1);
				}
			}
			catch (IOException ex) {
				boolean late = watch.expired() || ex instanceof SocketTimeoutException;
				breaker.onError(System.nanoTime() - sent, TimeUnit.NANOSECONDS, ex);
				this.metrics.error(late ? "timeout" : "broken");
				return late ? timeout() : workerError("The inference worker failed while answering.");
			}
		}
		catch (IOException ex) {
			// Closing the worker's stream failed after a complete read: nothing lost.
			body = null;
		}
		if (body == null || body.length > MAX_ANSWER_BYTES || !looksLikeJsonObject(body)) {
			breaker.onError(System.nanoTime() - sent, TimeUnit.NANOSECONDS, new IOException("malformed answer"));
			this.metrics.error("malformed");
			log.warn("Worker {} sent a malformed answer ({} bytes, status {})", worker.id(),
					(body != null) ? body.length : -1, upstream.status());
			return workerError("The inference worker sent a malformed answer.");
		}
		breaker.onSuccess(System.nanoTime() - sent, TimeUnit.NANOSECONDS);
		if (upstream.status() >= 400) {
			body = ErrorTranslation.toOpenAi(this.json, upstream.status(), body);
		}
		response.setStatus(upstream.status());
		response.setContentType(contentType.startsWith("application/json") ? contentType : "application/json");
		response.setContentLength(body.length);
		try {
			response.getOutputStream().write(body);
		}
		catch (IOException ex) {
			this.metrics.error("client_closed");
		}
		return null;
	}

	/**
	 * Counts a relayed answer's tokens, as the worker reported them, in the GenAI meters.
	 * @param call the request
	 * @param input prompt tokens
	 * @param output completion tokens
	 */
	public void tokensUsed(InferenceCall call, long input, long output) {
		this.metrics.tokens(call.tenant(), model(call), input, output);
	}

	/**
	 * Stops taking new requests; in-flight ones go on.
	 */
	void drain() {
		this.draining = true;
	}

	/**
	 * Takes new requests again (a context stopped and started again, as test contexts are
	 * when paused).
	 */
	void resume() {
		this.draining = false;
	}

	/**
	 * @return requests being forwarded now
	 */
	int active() {
		return this.active.get();
	}

	void close() {
		this.watchdog.close();
	}

	private static void writeErrorEvent(HttpServletResponse response, String message, boolean timeout) {
		try {
			OutputStream out = response.getOutputStream();
			out.write(("data: "
					+ OpenAiErrors.envelope("server_error", timeout ? "worker_timeout" : "worker_error", null, message)
					+ "\n\n")
				.getBytes(StandardCharsets.UTF_8));
			out.flush();
		}
		catch (IOException ex) {
			// The client is gone too; nothing left to tell.
		}
	}

	private static String operation(InferenceCall call) {
		return call.path().endsWith("/chat/completions") ? "chat" : "text_completion";
	}

	private static String model(InferenceCall call) {
		return (call.adapterId() != null) ? call.adapterId() : call.baseModel();
	}

	private static OpenAiException unavailable() {
		return new OpenAiException(HttpStatus.SERVICE_UNAVAILABLE, "server_error", "worker_unavailable", null,
				"No inference worker could take the request. Please retry.");
	}

	private static OpenAiException timeout() {
		return new OpenAiException(HttpStatus.GATEWAY_TIMEOUT, "server_error", "worker_timeout", null,
				"The inference worker did not answer in time.");
	}

	private static OpenAiException workerError(String message) {
		return new OpenAiException(HttpStatus.BAD_GATEWAY, "server_error", "worker_error", null, message);
	}

	private static void closeQuietly(InputStream in) {
		try {
			in.close();
		}
		catch (IOException ex) {
			// Already broken; closing is only to free the connection.
		}
	}

	private static int appendTail(byte[] tail, int tailLength, byte[] chunk, int length) {
		if (length >= tail.length) {
			System.arraycopy(chunk, length - tail.length, tail, 0, tail.length);
			return tail.length;
		}
		int keep = Math.min(tailLength, tail.length - length);
		System.arraycopy(tail, tailLength - keep, tail, 0, keep);
		System.arraycopy(chunk, 0, tail, keep, length);
		return keep + length;
	}

	static int indexOf(byte[] haystack, int length, byte[] needle) {
		outer: for (int i = 0; i + needle.length <= length; i++) {
			for (int j = 0; j < needle.length; j++) {
				if (haystack[i + j] != needle[j]) {
					continue outer;
				}
			}
			return i;
		}
		return -1;
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

}
