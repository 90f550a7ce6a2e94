package io.quiver.gateway.routing;

import java.io.IOException;
import java.io.InputStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Enforces the time limits that the HTTP client cannot: the first byte of a body, the
 * silence between two stream chunks, the whole answer. One thread checks every watched
 * body a few times a second and closes the ones past their deadline, which wakes their
 * blocked reader with an {@link IOException}; the reader then asks
 * {@link Watch#expired()} to tell a timeout from a broken worker.
 */
final class StreamWatchdog implements AutoCloseable {

	private static final long TICK_MILLIS = 20;

	private final Set<Watch> watched = ConcurrentHashMap.newKeySet();

	private final Thread thread;

	private volatile boolean closed;

	StreamWatchdog() {
		this.thread = Thread.ofPlatform().daemon().name("quiver-stream-watchdog").start(this::run);
	}

	/**
	 * @param body the body to close when it is late
	 * @param deadline {@link System#nanoTime()} by which the next byte must come
	 * @param totalDeadline when the whole answer must be done
	 * @return the watch; close it when the body is done
	 */
	Watch watch(InputStream body, long deadline, long totalDeadline) {
		Watch watch = new Watch(body, Math.min(deadline, totalDeadline), totalDeadline);
		this.watched.add(watch);
		return watch;
	}

	private void run() {
		while (!this.closed) {
			try {
				Thread.sleep(TICK_MILLIS);
			}
			catch (InterruptedException ex) {
				return;
			}
			long now = System.nanoTime();
			for (Watch watch : this.watched) {
				if (now - watch.deadline > 0) {
					watch.expire();
				}
			}
		}
	}

	@Override
	public void close() {
		this.closed = true;
		this.thread.interrupt();
	}

	/** One body under watch. */
	final class Watch implements AutoCloseable {

		private final InputStream body;

		private final long totalDeadline;

		private volatile long deadline;

		private volatile boolean expired;

		private Watch(InputStream body, long deadline, long totalDeadline) {
			this.body = body;
			this.deadline = deadline;
			this.totalDeadline = totalDeadline;
		}

		/**
		 * Moves the deadline after a chunk arrived.
		 * @param next when the next chunk is due at the latest
		 */
		void extend(long next) {
			this.deadline = Math.min(next, this.totalDeadline);
		}

		boolean expired() {
			return this.expired;
		}

		boolean totalExpired() {
			return this.expired && System.nanoTime() - this.totalDeadline >= 0;
		}

		private void expire() {
			this.expired = true;
			StreamWatchdog.this.watched.remove(this);
			try {
				this.body.close();
			}
			catch (IOException ex) {
				// Closing is how the reader is woken; a failure to close changes nothing.
			}
		}

		@Override
		public void close() {
			StreamWatchdog.this.watched.remove(this);
		}

	}

}
