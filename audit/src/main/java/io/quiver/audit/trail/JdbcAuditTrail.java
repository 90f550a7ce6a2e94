package io.quiver.audit.trail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import io.quiver.audit.AuditEvent;
import io.quiver.audit.AuditRecord;
import io.quiver.audit.AuditTrail;
import io.quiver.audit.chain.JdbcChainAppender;
import io.quiver.audit.sink.AuditSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The {@link AuditTrail} over PostgreSQL. {@link #submit(AuditEvent)} puts events on the
 * bounded queue of one of a few writer threads (chosen by tenant, so each chain keeps its
 * order) that drain them in batches; a batch the database does not take goes to the
 * {@link FileSpool}, and while the spool holds anything every new batch goes there too,
 * so that replay keeps the order. When a queue is full, or the trail is closed, the
 * submitting thread appends to the spool itself: an accepted event is never dropped.
 * Stopping (a {@link SmartLifecycle}, stopped after the web server) drains the queues
 * within {@code drainTimeout} and spools whatever is left.
 */
public final class JdbcAuditTrail implements AuditTrail, SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(JdbcAuditTrail.class);

	private final JdbcChainAppender appender;

	private final TransactionTemplate transactions;

	private final FileSpool spool;

	private final List<AuditSink> sinks;

	private final Settings settings;

	private final List<Writer> writers = new ArrayList<>();

	private final List<Thread> threads = new ArrayList<>();

	private final ReentrantLock replaying = new ReentrantLock();

	/** Submitters share it; {@link #stop()} takes it exclusively to close the queue. */
	private final ReadWriteLock gate = new ReentrantReadWriteLock();

	private final AtomicLong stored = new AtomicLong();

	/**
	 * Events in the queue, in the writer's hands or deferred: not yet stored or spooled.
	 */
	private final AtomicLong inMemory = new AtomicLong();

	private volatile boolean closed = true;

	private volatile long drainDeadline = Long.MAX_VALUE;

	private volatile long nextReplayAt;

	public JdbcAuditTrail(JdbcChainAppender appender, PlatformTransactionManager transactionManager, FileSpool spool,
			List<AuditSink> sinks, Settings settings) {
		this.appender = appender;
		this.transactions = new TransactionTemplate(transactionManager);
		this.spool = spool;
		this.sinks = List.copyOf(sinks);
		this.settings = settings;
		int count = Math.max(1, settings.writers());
		for (int i = 0; i < count; i++) {
			this.writers.add(new Writer(Math.max(1, settings.queueCapacity() / count)));
		}
	}

	@Override
	public AuditRecord record(AuditEvent event) {
		AuditRecord record = this.transactions.execute((status) -> this.appender.append(List.of(event)).getFirst());
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					publish(List.of(record));
				}
			});
		}
		else {
			publish(List.of(record));
		}
		return record;
	}

	@Override
	public void submit(AuditEvent event) {
		this.gate.readLock().lock();
		try {
			if (!this.closed) {
				this.inMemory.incrementAndGet();
				if (writerOf(event.tenant()).queue.offer(event)) {
					return;
				}
				this.inMemory.decrementAndGet();
			}
		}
		finally {
			this.gate.readLock().unlock();
		}
		this.spool.append(List.of(event));
	}

	/**
	 * Waits until everything submitted so far is in the database (tests, benchmark).
	 * @param timeout how long to wait
	 * @return whether the trail became idle in time
	 * @throws InterruptedException if interrupted while waiting
	 */
	public boolean awaitIdle(Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (this.inMemory.get() == 0 && !this.spool.hasPending()) {
				return true;
			}
			Thread.sleep(5);
		}
		return false;
	}

	/**
	 * @return events accepted but neither stored nor spooled yet
	 */
	public long inMemory() {
		return this.inMemory.get();
	}

	/**
	 * @return how many events this trail has written to the database
	 */
	public long stored() {
		return this.stored.get();
	}

	@Override
	public synchronized void start() {
		if (!this.closed) {
			return;
		}
		this.closed = false;
		this.drainDeadline = Long.MAX_VALUE;
		this.threads.clear();
		for (int i = 0; i < this.writers.size(); i++) {
			this.threads.add(Thread.ofPlatform().name("audit-writer-" + i).daemon(true).start(this.writers.get(i)));
		}
	}

	@Override
	public synchronized void stop() {
		if (this.closed) {
			return;
		}
		this.gate.writeLock().lock();
		try {
			this.closed = true;
			this.drainDeadline = System.nanoTime() + this.settings.drainTimeout().toNanos();
		}
		finally {
			this.gate.writeLock().unlock();
		}
		long deadline = System.nanoTime() + this.settings.drainTimeout().plusSeconds(5).toNanos();
		for (Thread thread : this.threads) {
			try {
				thread.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			if (thread.isAlive()) {
				log.error("Audit writer {} did not finish within {}; events still queued are spooled", thread.getName(),
						this.settings.drainTimeout());
			}
		}
		List<AuditEvent> left = new ArrayList<>();
		this.writers.forEach((writer) -> writer.queue.drainTo(left));
		if (!left.isEmpty()) {
			this.spool.append(left);
			this.inMemory.addAndGet(-left.size());
		}
	}

	@Override
	public boolean isRunning() {
		return !this.closed;
	}

	@Override
	public int getPhase() {
		// Lower than the web server's graceful shutdown: in-flight requests finish (and
		// submit their events) before the queue closes.
		return SmartLifecycle.DEFAULT_PHASE - 4096;
	}

	/**
	 * One writer thread with its own queue: every tenant maps to exactly one writer, so
	 * each chain is still appended in submission order while writers fill different
	 * chains (and database connections) in parallel.
	 */
	private final class Writer implements Runnable {

		private final BlockingQueue<AuditEvent> queue;

		private final List<AuditEvent> deferred = new ArrayList<>();

		Writer(int capacity) {
			this.queue = new ArrayBlockingQueue<>(capacity);
		}

		@Override
		public void run() {
			int batchSize = JdbcAuditTrail.this.settings.batchSize();
			long waitMillis = Math.max(1, JdbcAuditTrail.this.settings.flushInterval().toMillis());
			boolean stalled = false;
			// One list for every batch: nothing keeps a batch once it is written, and a
			// new list of batchSize slots per turn (every few milliseconds, busy or idle)
			// was most of what the writer allocated.
			List<AuditEvent> batch = new ArrayList<>();
			while (true) {
				batch.clear();
				batch.addAll(this.deferred);
				this.deferred.clear();
				try {
					if (batch.isEmpty() || stalled) {
						AuditEvent first = this.queue.poll(waitMillis, TimeUnit.MILLISECONDS);
						if (first != null) {
							batch.add(first);
						}
					}
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				this.queue.drainTo(batch, Math.max(0, batchSize - batch.size()));
				boolean closing = JdbcAuditTrail.this.closed;
				if (!closing && !stalled && !batch.isEmpty()) {
					linger(batch, batchSize, waitMillis);
				}
				if (closing && System.nanoTime() > JdbcAuditTrail.this.drainDeadline) {
					this.queue.drainTo(batch);
					if (!batch.isEmpty()) {
						JdbcAuditTrail.this.spool.append(batch);
						JdbcAuditTrail.this.inMemory.addAndGet(-batch.size());
					}
					return;
				}
				if (batch.isEmpty()) {
					replay(closing);
					if (closing) {
						return;
					}
					stalled = false;
					continue;
				}
				int left = 0;
				try {
					left = write(batch, this.deferred);
				}
				catch (RuntimeException ex) {
					log.error("Audit writer failed on a batch of {}; spooling it", batch.size(), ex);
					JdbcAuditTrail.this.spool.append(batch);
				}
				stalled = left == batch.size();
				JdbcAuditTrail.this.inMemory.addAndGet(-(batch.size() - left));
			}
		}

		/**
		 * Waits up to the flush interval after a batch's first event for the batch to
		 * fill, so that a steady trickle of events is written many to a transaction (and
		 * to a chain-head update) rather than the few that arrived while the previous
		 * batch was written. A full batch, or shutdown, ends the wait.
		 */
		private void linger(List<AuditEvent> batch, int batchSize, long waitMillis) {
			long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
			try {
				long left;
				while (batch.size() < batchSize && !JdbcAuditTrail.this.closed
						&& (left = until - System.nanoTime()) > 0) {
					AuditEvent next = this.queue.poll(left, TimeUnit.NANOSECONDS);
					if (next == null) {
						return;
					}
					batch.add(next);
					this.queue.drainTo(batch, batchSize - batch.size());
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

	/**
	 * @param deferred where to leave events whose chain heads were busy
	 * @return how many events of the batch were deferred; the others are stored or
	 * spooled
	 */
	private int write(List<AuditEvent> batch, List<AuditEvent> deferred) {
		if (this.spool.hasPending()) {
			this.spool.append(batch);
			replay(false);
			return 0;
		}
		try {
			JdbcChainAppender.Appended result = this.transactions
				.execute((status) -> this.appender.appendAvailable(batch));
			deferred.addAll(result.left());
			this.stored.addAndGet(result.appended().size());
			publish(result.appended());
			return result.left().size();
		}
		catch (RuntimeException ex) {
			log.warn("Audit database unavailable ({}); spooling {} events to {}", ex.getClass().getSimpleName(),
					batch.size(), this.spool.file());
			this.spool.append(batch);
			this.nextReplayAt = System.nanoTime() + this.settings.retryInterval().toNanos();
			return 0;
		}
	}

	private void replay(boolean force) {
		if (!this.spool.hasPending() || (!force && System.nanoTime() < this.nextReplayAt)) {
			return;
		}
		// One replay at a time: two writers replaying the same chunk would both insert
		// it.
		if (!this.replaying.tryLock()) {
			return;
		}
		long replayed = 0;
		try {
			while (this.spool.hasPending()) {
				FileSpool.Chunk chunk = this.spool.read(this.settings.batchSize());
				List<AuditRecord> records = this.transactions
					.execute((status) -> this.appender.append(this.appender.absent(chunk.events())));
				this.spool.commit(chunk.end());
				replayed += records.size();
				this.stored.addAndGet(records.size());
				publish(records);
				if (this.closed && System.nanoTime() > this.drainDeadline) {
					break;
				}
			}
			if (replayed > 0) {
				log.info("Replayed {} audit events from the spool", replayed);
			}
		}
		catch (RuntimeException ex) {
			this.nextReplayAt = System.nanoTime() + this.settings.retryInterval().toNanos();
			log.warn("Audit spool replay paused after {} events ({}); retrying in {}", replayed,
					ex.getClass().getSimpleName(), this.settings.retryInterval());
		}
		finally {
			this.replaying.unlock();
		}
	}

	private void publish(List<AuditRecord> records) {
		if (records.isEmpty()) {
			return;
		}
		for (AuditSink sink : this.sinks) {
			try {
				sink.publish(records);
			}
			catch (RuntimeException ex) {
				log.warn("Audit sink {} refused {} records", sink.getClass().getSimpleName(), records.size(), ex);
			}
		}
	}

	private Writer writerOf(String tenant) {
		return this.writers.get(Math.floorMod(tenant.hashCode(), this.writers.size()));
	}

	/**
	 * How the background writers work.
	 *
	 * @param writers writer threads (and database connections) working in parallel, each
	 * owning a share of the tenants
	 * @param batchSize the most events written in one transaction
	 * @param flushInterval how long the writer waits for a batch to fill after its first
	 * event, and, while no events come, before it looks at the spool again
	 * @param queueCapacity events held in memory before submitters spool directly
	 * @param retryInterval how often replay is attempted while the database is down
	 * @param drainTimeout how long stopping may take to write what is queued
	 */
	public record Settings(int writers, int batchSize, Duration flushInterval, int queueCapacity,
			Duration retryInterval, Duration drainTimeout) {

	}

}
