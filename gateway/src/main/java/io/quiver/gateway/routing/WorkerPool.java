package io.quiver.gateway.routing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.quiver.gateway.openai.OpenAiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpStatus;

/**
 * The workers: a static list and every address behind a DNS name (a Kubernetes headless
 * service), both at once, re-resolved at every poll. Each worker's {@code /status} is
 * polled in the background; one that fails a poll, or refuses a connection, leaves
 * rotation and is probed back in by the next poll that succeeds.
 * <p>
 * When no worker is ready (the pool scaled to zero), requests wait here, bounded in time
 * and number, and are counted as pending: that count is what wakes the pool.
 */
public class WorkerPool implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);

	private static final String VLLM_SCHEME_PREFIX = "vllm+";

	/**
	 * The largest {@code /status}, {@code /v1/models} or {@code /metrics} answer read.
	 */
	private static final int MAX_STATUS_BYTES = 4 * 1024 * 1024;

	private final RoutingProperties properties;

	private final WorkerHttp http;

	private final StatusParser parser;

	private final CircuitBreakerRegistry breakers;

	private final Map<String, Worker> byKey = new ConcurrentHashMap<>();

	private final Set<String> known = ConcurrentHashMap.newKeySet();

	private final AtomicInteger pending = new AtomicInteger();

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition changed = this.lock.newCondition();

	private final Thread poller;

	private volatile List<Worker> workers = List.of();

	private volatile boolean closed;

	private volatile boolean refusing;

	private volatile Runnable afterPoll = () -> {
	};

	WorkerPool(RoutingProperties properties, JsonMapper json, CircuitBreakerRegistry breakers) {
		this.properties = properties;
		this.parser = new StatusParser(json);
		this.breakers = breakers;
		this.http = new WorkerHttp(properties.connectTimeout());
		refreshMembership();
		this.poller = Thread.ofVirtual().name("quiver-worker-poller").start(this::pollLoop);
	}

	/**
	 * @return every worker now in the pool, ready or not
	 */
	public List<Worker> workers() {
		return this.workers;
	}

	/**
	 * @return every base model any worker has reported since start, live or not: a
	 * request for one of these while no worker serves it is a temporary outage (503), not
	 * an unknown model (404)
	 */
	public Set<String> knownModels() {
		return Set.copyOf(this.known);
	}

	/**
	 * @return whether any worker is ready for requests
	 */
	public boolean anyUp() {
		for (Worker worker : this.workers) {
			if (worker.isReady()) {
				return true;
			}
		}
		return false;
	}

	/**
	 * @return the base models some live worker serves, in configuration order
	 */
	public Set<String> models() {
		Set<String> models = new LinkedHashSet<>();
		for (Worker worker : this.workers) {
			if (worker.isUp()) {
				models.addAll(worker.models());
			}
		}
		return models;
	}

	/**
	 * @param adapterId an adapter id ({@code <tenant>/<name>@<version>})
	 * @return the workers that hold it or are loading it, by worker id
	 */
	public List<AdapterPlacement> placements(String adapterId) {
		List<AdapterPlacement> placements = new ArrayList<>();
		for (Worker worker : this.workers) {
			WorkerStatus.AdapterTier tier = worker.status().adapters().get(adapterId);
			if (tier != null) {
				placements.add(new AdapterPlacement(worker.id(), tier, worker.isReady()));
			}
		}
		placements.sort(Comparator.comparing(AdapterPlacement::workerId));
		return placements;
	}

	/**
	 * @param model a base model id
	 * @return whether a ready worker serves it
	 */
	public boolean serves(String model) {
		for (Worker worker : this.workers) {
			if (worker.isReady() && worker.models().contains(model)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Waits, bounded, until a ready worker serves the model: when the pool is scaled to
	 * zero, or every worker of that model is out of rotation, the request is held rather
	 * than failed.
	 * @param model a base model id
	 * @return {@code true} when a ready worker serves it; {@code false} when ready
	 * workers exist but none has ever served it (an unknown model)
	 * @throws OpenAiException 503 when none became ready in time, or too many wait
	 * already
	 */
	public boolean awaitModel(String model) {
		if (serves(model)) {
			return true;
		}
		if (anyUp() && !this.known.contains(model)) {
			return false;
		}
		long deadline = System.nanoTime() + this.properties.pendingTimeout().toNanos();
		if (this.pending.incrementAndGet() > this.properties.maxPending()) {
			this.pending.decrementAndGet();
			throw noWorker("Too many requests are waiting for an inference worker. Please retry shortly.");
		}
		this.lock.lock();
		try {
			this.changed.signalAll();
			while (true) {
				if (serves(model)) {
					return true;
				}
				if (anyUp() && !this.known.contains(model)) {
					return false;
				}
				long left = deadline - System.nanoTime();
				if (left <= 0 || this.refusing || this.closed) {
					throw noWorker("No inference worker is available right now. Please retry shortly.");
				}
				this.changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw noWorker("The request was interrupted while waiting for a worker.");
		}
		finally {
			this.lock.unlock();
			this.pending.decrementAndGet();
		}
	}

	/**
	 * @return how many requests wait for a worker now
	 */
	public int pending() {
		return this.pending.get();
	}

	/** Polls every worker now, and re-resolves the DNS name. */
	public void refresh() {
		refreshMembership();
		List<Worker> current = this.workers;
		List<Thread> polls = new ArrayList<>(current.size());
		for (Worker worker : current) {
			polls.add(Thread.ofVirtual().start(() -> poll(worker)));
		}
		long deadline = System.nanoTime() + this.properties.connectTimeout().multipliedBy(3).toNanos();
		try {
			for (Thread poll : polls) {
				long left = deadline - System.nanoTime();
				if (left > 0) {
					poll.join(Duration.ofNanos(left));
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		signal();
	}

	/**
	 * Takes a worker out of rotation at once, until a poll finds it answering again: a
	 * refused connection says more than any circuit statistics.
	 * @param worker the worker
	 */
	void eject(Worker worker) {
		if (worker.isUp()) {
			log.warn("Worker {} refused a connection; out of rotation until it answers a poll", worker.id());
		}
		worker.markDown();
	}

	void afterPoll(Runnable task) {
		this.afterPoll = task;
	}

	WorkerHttp http() {
		return this.http;
	}

	RoutingProperties properties() {
		return this.properties;
	}

	private void pollLoop() {
		while (!this.closed) {
			try {
				refresh();
				this.afterPoll.run();
			}
			catch (RuntimeException ex) {
				log.warn("Polling the workers failed: {}", ex.toString());
			}
			// Waiting requests want the first worker that wakes up as soon as it answers.
			long interval = this.properties.refreshInterval().toMillis();
			long sleep = (this.pending.get() > 0) ? Math.min(interval, 200) : interval;
			try {
				Thread.sleep(sleep);
			}
			catch (InterruptedException ex) {
				return;
			}
		}
	}

	private void signal() {
		this.lock.lock();
		try {
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	private void refreshMembership() {
		Map<String, Entry> wanted = new LinkedHashMap<>();
		for (URI uri : this.properties.workers()) {
			Entry entry = Entry.of(uri);
			wanted.put(entry.uri().toString(), entry);
		}
		String dnsName = this.properties.dnsName();
		if (dnsName != null) {
			try {
				for (InetAddress address : InetAddress.getAllByName(dnsName)) {
					String host = address.getHostAddress();
					if (host.indexOf(':') >= 0) {
						host = "[" + host + "]";
					}
					URI uri = URI.create("http://" + host + ":" + this.properties.dnsPort());
					wanted.putIfAbsent(uri.toString(), new Entry(uri, WorkerDialect.QUIVER, false));
				}
			}
			catch (UnknownHostException ex) {
				// A headless service with no ready pod has no address: the pool is at
				// zero, not broken. The static workers stay.
				log.debug("DNS name {} has no address now", dnsName);
			}
		}
		boolean changed = false;
		for (Entry entry : wanted.values()) {
			if (!this.byKey.containsKey(entry.uri().toString())) {
				CircuitBreaker breaker = this.breakers.circuitBreaker(entry.uri().toString());
				this.byKey.put(entry.uri().toString(),
						new Worker(entry.uri(), entry.dialect(), entry.dialectFixed(), breaker));
				log.info("Worker {} ({}) joined the pool", entry.uri(), this.byKey.get(entry.uri().toString()).id());
				changed = true;
			}
		}
		for (String key : List.copyOf(this.byKey.keySet())) {
			if (!wanted.containsKey(key)) {
				Worker gone = this.byKey.remove(key);
				this.breakers.remove(key);
				log.info("Worker {} left the pool", gone.id());
				changed = true;
			}
		}
		if (changed || this.workers.isEmpty()) {
			this.workers = List.copyOf(this.byKey.values());
		}
	}

	private void poll(Worker worker) {
		long polledAt = System.nanoTime();
		try {
			WorkerDialect dialect = worker.dialect();
			WorkerStatus status = null;
			if (dialect == WorkerDialect.QUIVER) {
				WorkerHttp.WholeResponse response = get(worker, "/status");
				if (response.status() == 200) {
					status = this.parser.quiverStatus(response.body());
				}
				else if (response.status() == 404 && !worker.dialectFixed()) {
					dialect = WorkerDialect.VLLM;
				}
				else {
					throw new IOException("status " + response.status());
				}
			}
			if (status == null) {
				status = vllmStatus(worker);
			}
			if (!worker.isUp()) {
				log.info("Worker {} is up ({}, serving {}, {} adapters)", worker.id(), dialect, status.baseModels(),
						status.adapters().size());
			}
			worker.update(dialect, status, polledAt);
			this.known.addAll(status.baseModels());
			// A half-open circuit is probed by polls as well as by requests, so a worker
			// that came back closes its circuit even before traffic returns to it.
			CircuitBreaker breaker = worker.breaker();
			if (breaker.getState() == CircuitBreaker.State.HALF_OPEN && breaker.tryAcquirePermission()) {
				breaker.onSuccess(0, TimeUnit.NANOSECONDS);
			}
		}
		catch (IOException | RuntimeException ex) {
			boolean wasUp = worker.isUp();
			int failures = worker.markDown();
			// A failed poll counts against the circuit like a failed request: a dead
			// worker's circuit opens even when no request is sent to it any more.
			worker.breaker().onError(0, TimeUnit.NANOSECONDS, ex);
			if (wasUp || failures == 1) {
				log.warn("Worker {} failed its health poll, out of rotation: {}", worker.id(), ex.toString());
			}
		}
	}

	private WorkerStatus vllmStatus(Worker worker) throws IOException {
		WorkerHttp.WholeResponse models = get(worker, "/v1/models");
		if (models.status() != 200) {
			throw new IOException("models status " + models.status());
		}
		String metrics = null;
		try {
			WorkerHttp.WholeResponse response = get(worker, "/metrics");
			if (response.status() == 200) {
				metrics = response.text();
			}
		}
		catch (IOException ex) {
			// Load figures are optional; a server without /metrics is routed on this
			// gateway's own in-flight count.
		}
		return this.parser.vllmStatus(models.body(), metrics);
	}

	private WorkerHttp.WholeResponse get(Worker worker, String path) throws IOException {
		return this.http.exchange(worker.uri(path), "GET", Map.of(), null,
				this.properties.connectTimeout().multipliedBy(2), MAX_STATUS_BYTES);
	}

	private static OpenAiException noWorker(String message) {
		return new OpenAiException(HttpStatus.SERVICE_UNAVAILABLE, "server_error", "no_worker_available", null,
				message);
	}

	/**
	 * Wakes every waiting request (they fail at once) and makes new ones fail rather than
	 * wait: the gateway is shutting down. Polling goes on for the streams that finish.
	 */
	void refuseWaiting() {
		this.refusing = true;
		signal();
	}

	/** Lets requests wait for workers again, after {@link #refuseWaiting()}. */
	void resumeWaiting() {
		this.refusing = false;
	}

	@Override
	public void destroy() {
		this.closed = true;
		signal();
		this.poller.interrupt();
		this.http.close();
	}

	private record Entry(URI uri, WorkerDialect dialect, boolean dialectFixed) {

		static Entry of(URI configured) {
			String text = configured.toString();
			if (text.startsWith(VLLM_SCHEME_PREFIX)) {
				return new Entry(URI.create(text.substring(VLLM_SCHEME_PREFIX.length())), WorkerDialect.VLLM, true);
			}
			return new Entry(configured, WorkerDialect.QUIVER, false);
		}

	}

}
