package io.quiver.audit;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The audit trail's settings ({@code quiver.audit.*}).
 *
 * @param writer the background writer and its spool
 * @param checkpoint the periodic signed checkpoints
 * @param signing the Ed25519 keys
 * @param retention the retention policy
 * @param siem the optional HTTP copy to a SIEM
 * @param trustedProxies addresses or CIDR ranges whose {@code X-Forwarded-For} is
 * believed
 */
@ConfigurationProperties("quiver.audit")
@Validated
record AuditProperties(@DefaultValue @Valid Writer writer, @DefaultValue @Valid Checkpoint checkpoint,
		@DefaultValue Signing signing, @DefaultValue @Valid Retention retention, @DefaultValue @Valid Siem siem,
		@DefaultValue List<String> trustedProxies) {

	/**
	 * @param writers writer threads, each owning a share of the tenants (and using one
	 * database connection)
	 * @param batchSize events per database transaction
	 * @param flushInterval how long the writer waits for a batch to fill after its first
	 * event (the longest an event waits in memory when the database keeps up)
	 * @param queueCapacity events held in memory before submitters write to the spool
	 * @param retryInterval how often replay is tried during an outage
	 * @param drainTimeout how long shutdown may take to write what is queued
	 * @param spoolDirectory where the local spool lives (keep it on a persistent volume);
	 * {@code $QUIVER_HOME/audit/spool} by default
	 */
	record Writer(@DefaultValue("2") @Min(1) @Max(16) int writers,
			@DefaultValue("1000") @Min(1) @Max(20000) int batchSize, @DefaultValue("20ms") Duration flushInterval,
			@DefaultValue("100000") @Min(1) int queueCapacity, @DefaultValue("2s") Duration retryInterval,
			@DefaultValue("30s") Duration drainTimeout, @DefaultValue(".quiver/audit/spool") Path spoolDirectory) {

	}

	/**
	 * @param enabled whether checkpoints are signed periodically
	 * @param interval how often
	 * @param copyDirectory where to also write each checkpoint (e.g. a mounted
	 * object-lock bucket); none when unset
	 */
	record Checkpoint(@DefaultValue("true") boolean enabled, @DefaultValue("5m") Duration interval,
			Path copyDirectory) {

	}

	/**
	 * @param activeKeyId the key that signs new checkpoints
	 * @param privateKeys key id to Ed25519 private key (PKCS#8 PEM or base64)
	 * @param publicKeys key id to public key of retired keys (X.509 PEM or base64)
	 * @param devKeyFile where a generated development key is kept when no private key is
	 * configured
	 */
	record Signing(String activeKeyId, @DefaultValue Map<String, String> privateKeys,
			@DefaultValue Map<String, String> publicKeys, Path devKeyFile) {

	}

	/**
	 * @param enabled whether the retention job runs
	 * @param period how long events are kept (at least one day)
	 * @param interval how often the job runs
	 */
	record Retention(@DefaultValue("true") boolean enabled, @DefaultValue("400d") Duration period,
			@DefaultValue("1d") Duration interval) {

	}

	/**
	 * @param url the collector's URL; no SIEM copy when unset
	 * @param headers extra request headers, e.g. an authorization token
	 * @param maxAttempts attempts per batch
	 * @param initialBackoff wait before the first retry, doubled after each
	 * @param queueCapacity batches waiting before new ones are dropped
	 */
	record Siem(URI url, @DefaultValue Map<String, String> headers, @DefaultValue("5") @Min(1) int maxAttempts,
			@DefaultValue("500ms") Duration initialBackoff, @DefaultValue("1000") @Min(1) int queueCapacity) {

	}

	/**
	 * @return where Quiver keeps local state: {@code QUIVER_HOME}, else {@code .quiver}
	 * in the working directory (as {@code bin/quiver} does)
	 */
	static Path stateDirectory() {
		String home = System.getenv("QUIVER_HOME");
		return Path.of((home != null && !home.isBlank()) ? home : ".quiver");
	}

	Path spoolDirectory() {
		return (this.writer.spoolDirectory() != null) ? this.writer.spoolDirectory()
				: stateDirectory().resolve("audit/spool");
	}

	Path devKeyFile() {
		return (this.signing.devKeyFile() != null) ? this.signing.devKeyFile()
				: stateDirectory().resolve("audit/dev-signing-key.pem");
	}

}
