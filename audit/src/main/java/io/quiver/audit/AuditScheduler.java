package io.quiver.audit;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.quiver.audit.checkpoint.CheckpointKeys;
import io.quiver.audit.checkpoint.JdbcCheckpoints;
import io.quiver.audit.retention.RetentionJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Runs the periodic checkpoint and retention jobs on a thread of the audit module's own
 * (so the application need not enable scheduling), and records the trail's start-up
 * configuration as a platform event.
 */
class AuditScheduler implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(AuditScheduler.class);

	private final JdbcCheckpoints checkpoints;

	private final RetentionJob retention;

	private final AuditTrail trail;

	private final CheckpointKeys keys;

	private final AuditProperties properties;

	private ScheduledExecutorService executor;

	AuditScheduler(JdbcCheckpoints checkpoints, RetentionJob retention, AuditTrail trail, CheckpointKeys keys,
			AuditProperties properties) {
		this.checkpoints = checkpoints;
		this.retention = retention;
		this.trail = trail;
		this.keys = keys;
		this.properties = properties;
	}

	@Override
	public synchronized void start() {
		try {
			this.checkpoints.registerKeys();
		}
		catch (RuntimeException ex) {
			// The database may be down at start-up; the trail spools until it returns,
			// and
			// the keys are registered on the next start.
			log.warn("Could not register audit signing keys: {}", ex.getClass().getSimpleName());
		}
		this.trail.submit(AuditEvent.builder(AuditEvent.PLATFORM_TENANT, "audit.trail_started")
			.actor(AuditActor.system("audit"))
			.metadata("signing_key_id", this.keys.activeKeyId())
			.metadata("checkpoint_interval", this.properties.checkpoint().interval())
			.metadata("checkpoint_copy", this.properties.checkpoint().copyDirectory() != null)
			.metadata("retention_period_days", this.properties.retention().period().toDays())
			.metadata("siem", this.properties.siem().url() != null)
			.metadata("trusted_proxies", this.properties.trustedProxies().size())
			.build());
		this.executor = Executors
			.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("audit-jobs").daemon(true).factory());
		if (this.properties.checkpoint().enabled()) {
			schedule("checkpoint", this.checkpoints::checkpointMovedChains, this.properties.checkpoint().interval());
		}
		if (this.properties.retention().enabled()) {
			schedule("retention", this.retention::run, this.properties.retention().interval());
		}
	}

	@Override
	public synchronized void stop() {
		if (this.executor == null) {
			return;
		}
		this.executor.shutdownNow();
		this.executor = null;
		// A last checkpoint, so that what this instance wrote is covered when it is gone.
		if (this.properties.checkpoint().enabled()) {
			try {
				this.checkpoints.checkpointMovedChains();
			}
			catch (RuntimeException ex) {
				log.warn("Final audit checkpoint failed: {}", ex.getClass().getSimpleName());
			}
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.executor != null;
	}

	@Override
	public int getPhase() {
		// Stops after the trail has drained, so the final checkpoint covers its last
		// batch.
		return SmartLifecycle.DEFAULT_PHASE - 8192;
	}

	private void schedule(String name, Runnable job, Duration interval) {
		long millis = interval.toMillis();
		this.executor.scheduleWithFixedDelay(() -> {
			try {
				job.run();
			}
			catch (RuntimeException ex) {
				log.warn("Audit {} job failed; it runs again in {}", name, interval, ex);
			}
		}, millis, millis, TimeUnit.MILLISECONDS);
	}

}
