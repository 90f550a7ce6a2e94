package io.quiver.gateway.usage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.quiver.tenancy.usage.UsageRecord;
import io.quiver.tenancy.usage.UsageRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * Takes usage records from the request path into a bounded queue and writes them in
 * batches on a background thread. A failed batch is retried; records are only dropped if
 * the queue is full for longer than a request may wait, and that is counted and logged.
 */
@Component
public class UsageRecorder implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(UsageRecorder.class);

	private static final int BATCH = 500;

	private final UsageRepository usage;

	private final BlockingQueue<UsageRecord> queue;

	private final Thread writer;

	private final AtomicLong dropped = new AtomicLong();

	private volatile boolean running = true;

	private final ApplicationEventPublisher events;

	UsageRecorder(UsageRepository usage, UsageProperties properties, ApplicationEventPublisher events) {
		this.usage = usage;
		this.events = events;
		this.queue = new ArrayBlockingQueue<>(properties.queueCapacity());
		long interval = properties.flushInterval().toMillis();
		this.writer = Thread.ofVirtual().name("usage-writer").start(() -> run(interval));
	}

	/**
	 * @param record one request's usage
	 */
	public void record(UsageRecord record) {
		this.events.publishEvent(new InferenceCompleted(record));
		try {
			if (!this.queue.offer(record, 100, TimeUnit.MILLISECONDS)) {
				long count = this.dropped.incrementAndGet();
				if (count == 1 || count % 1000 == 0) {
					log.error("Usage queue full: {} records dropped so far", count);
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Writes everything queued now (tests, shutdown).
	 */
	public void flush() {
		List<UsageRecord> batch = new ArrayList<>();
		while (this.queue.drainTo(batch, BATCH) > 0) {
			write(batch);
			batch.clear();
		}
	}

	private void run(long intervalMillis) {
		List<UsageRecord> batch = new ArrayList<>(BATCH);
		while (this.running) {
			try {
				UsageRecord first = this.queue.poll(intervalMillis, TimeUnit.MILLISECONDS);
				if (first == null) {
					continue;
				}
				batch.add(first);
				this.queue.drainTo(batch, BATCH - 1);
				write(batch);
				batch.clear();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	private synchronized void write(List<UsageRecord> batch) {
		for (int attempt = 1;; attempt++) {
			try {
				this.usage.append(batch);
				return;
			}
			catch (RuntimeException ex) {
				if (attempt >= 3 || !this.running) {
					log.error("Could not write {} usage records: {}", batch.size(), ex.toString());
					return;
				}
				try {
					Thread.sleep(200L * attempt);
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}
	}

	@Override
	public void destroy() {
		this.running = false;
		this.writer.interrupt();
		flush();
	}

}
