package io.quiver.gateway.security;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.quiver.tenancy.apikey.ApiKeyService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Collects which keys were used and writes "last used" in one statement per interval, so
 * the request path never waits on the database for it.
 */
@Component
class LastUsedRecorder implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(LastUsedRecorder.class);

	private final ApiKeyService keys;

	private final Set<UUID> pending = ConcurrentHashMap.newKeySet();

	private final ScheduledExecutorService flusher;

	LastUsedRecorder(ApiKeyService keys, SecurityProperties properties) {
		this.keys = keys;
		this.flusher = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("key-last-used").factory());
		long interval = properties.lastUsedFlushInterval().toMillis();
		this.flusher.scheduleWithFixedDelay(this::flush, interval, interval, TimeUnit.MILLISECONDS);
	}

	void record(UUID keyId) {
		this.pending.add(keyId);
	}

	void flush() {
		if (this.pending.isEmpty()) {
			return;
		}
		List<UUID> batch = new ArrayList<>(this.pending);
		this.pending.removeAll(batch);
		try {
			this.keys.markUsed(batch, Instant.now());
		}
		catch (RuntimeException ex) {
			this.pending.addAll(batch);
			log.warn("Could not record last use of {} keys: {}", batch.size(), ex.toString());
		}
	}

	@Override
	public void destroy() {
		this.flusher.shutdownNow();
		flush();
	}

}
