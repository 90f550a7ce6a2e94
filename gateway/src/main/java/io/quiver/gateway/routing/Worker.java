package io.quiver.gateway.routing;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * One inference worker as the gateway sees it: where it is, what it last reported,
 * whether it is in rotation, how many requests this gateway has in flight to it, and its
 * circuit breaker.
 */
public final class Worker {

	private final URI baseUri;

	private final String id;

	private final long hash;

	private final boolean dialectFixed;

	private final AtomicInteger inFlight = new AtomicInteger();

	private final ConcurrentHashMap<String, URI> uris = new ConcurrentHashMap<>();

	private final CircuitBreaker breaker;

	private volatile WorkerDialect dialect;

	private volatile WorkerStatus status = WorkerStatus.UNKNOWN;

	private volatile boolean up;

	private volatile int failedPolls;

	// adapters the gateway saw this worker load, by when (System.nanoTime), kept until a
	// poll sent after that confirms or contradicts them
	private final ConcurrentHashMap<String, Long> heldSince = new ConcurrentHashMap<>();

	Worker(URI baseUri, WorkerDialect dialect, boolean dialectFixed, CircuitBreaker breaker) {
		this.baseUri = baseUri;
		this.dialect = dialect;
		this.dialectFixed = dialectFixed;
		this.breaker = breaker;
		byte[] digest = sha256(baseUri.toString());
		// An opaque, stable name for headers and metrics: clients learn which worker
		// answered without learning the pool's addresses.
		this.id = "w-" + HexFormat.of().formatHex(digest, 0, 4);
		long hash = 0;
		for (int i = 0; i < 8; i++) {
			hash = (hash << 8) | (digest[i] & 0xff);
		}
		this.hash = hash;
	}

	public URI baseUri() {
		return this.baseUri;
	}

	/**
	 * @return the opaque name of this worker, as {@code x-quiver-worker} shows it
	 */
	public String id() {
		return this.id;
	}

	public WorkerDialect dialect() {
		return this.dialect;
	}

	public WorkerStatus status() {
		return this.status;
	}

	public Set<String> models() {
		return this.status.baseModels();
	}

	/**
	 * @return whether it answered its last poll and is not draining
	 */
	public boolean isUp() {
		return this.up && !this.status.draining();
	}

	/**
	 * @return whether it may take a new request now: up, not draining, circuit not open
	 */
	public boolean isReady() {
		return isUp() && this.breaker.getState() != CircuitBreaker.State.OPEN
				&& this.breaker.getState() != CircuitBreaker.State.FORCED_OPEN;
	}

	public int inFlight() {
		return this.inFlight.get();
	}

	/**
	 * @return the load the router balances on: this gateway's requests in flight to it
	 * (exact, now) plus its reported queue (shared with other gateways, as of its last
	 * poll)
	 */
	public int load() {
		return this.inFlight.get() + this.status.queueDepth();
	}

	public CircuitBreaker breaker() {
		return this.breaker;
	}

	long hash() {
		return this.hash;
	}

	boolean dialectFixed() {
		return this.dialectFixed;
	}

	URI uri(String path) {
		URI uri = this.uris.get(path);
		if (uri == null) {
			uri = this.baseUri.resolve(path);
			if (this.uris.size() < 64) {
				this.uris.put(path, uri);
			}
		}
		return uri;
	}

	/**
	 * Takes a poll's answer. Adapters the gateway saw this worker load after the poll was
	 * sent are kept even when the answer lacks them: it was written before.
	 * @param dialect the dialect the worker speaks
	 * @param status its status
	 * @param polledAt when the poll was sent ({@link System#nanoTime()})
	 */
	synchronized void update(WorkerDialect dialect, WorkerStatus status, long polledAt) {
		// synchronized with held(): both rewrite the status from what they read, and an
		// answer's mark must not be lost to a poll written at the same moment
		this.dialect = dialect;
		Map<String, WorkerStatus.AdapterTier> adapters = null;
		for (Map.Entry<String, Long> held : this.heldSince.entrySet()) {
			if (held.getValue() - polledAt <= 0) {
				this.heldSince.remove(held.getKey(), held.getValue());
			}
			else if (!status.holds(held.getKey())) {
				adapters = (adapters != null) ? adapters : new HashMap<>(status.adapters());
				adapters.put(held.getKey(), WorkerStatus.AdapterTier.DEVICE);
			}
		}
		this.status = (adapters == null) ? status : status.withAdapters(adapters);
		this.failedPolls = 0;
		this.up = true;
	}

	/**
	 * Marks what the gateway just learned without waiting for the next poll: an adapter
	 * loaded there (preloaded, or loaded to answer a request).
	 */
	void held(String adapterId) {
		if (this.status.holds(adapterId)) {
			return;
		}
		synchronized (this) {
			WorkerStatus current = this.status;
			if (!current.holds(adapterId)) {
				this.heldSince.put(adapterId, System.nanoTime());
				Map<String, WorkerStatus.AdapterTier> adapters = new HashMap<>(current.adapters());
				adapters.put(adapterId, WorkerStatus.AdapterTier.DEVICE);
				this.status = current.withAdapters(adapters);
			}
		}
	}

	/**
	 * @return how many polls in a row failed, this one included
	 */
	int markDown() {
		this.up = false;
		return ++this.failedPolls;
	}

	void acquire() {
		this.inFlight.incrementAndGet();
	}

	void release() {
		this.inFlight.decrementAndGet();
	}

	private static byte[] sha256(String value) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public String toString() {
		return this.baseUri.toString();
	}

}
