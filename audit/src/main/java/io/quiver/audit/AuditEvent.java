package io.quiver.audit;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import io.quiver.audit.chain.JsonValues;

/**
 * One audited fact: who did what to which resource, when, from where, and how it ended.
 * Build one with {@link #builder(String, String)}; secrets in {@code changes} and
 * {@code metadata} are masked on construction (see {@link AuditMasking}), and times are
 * kept to the millisecond.
 *
 * @param id time-ordered id (UUIDv7)
 * @param tenant the tenant slug, or {@link #PLATFORM_TENANT} for platform-level events
 * @param occurredAt when it happened
 * @param actor who did it
 * @param action dotted, past tense: {@code api_key.created}, {@code auth.failed}
 * @param resource what it was done to; may be {@code null}
 * @param outcome how it ended
 * @param reason a machine-readable reason code, e.g. {@code invalid_key}; may be
 * {@code null}
 * @param sourceIp the client address (after trusted-proxy resolution)
 * @param userAgent the client's user agent
 * @param requestId the gateway's request id
 * @param traceId the distributed trace id
 * @param changes before/after values of an admin change; may be {@code null}
 * @param metadata free, non-secret facts: tokens, latency, adapter, worker, status
 */
public record AuditEvent(UUID id, String tenant, Instant occurredAt, AuditActor actor, String action,
		AuditResource resource, AuditOutcome outcome, String reason, String sourceIp, String userAgent,
		String requestId, String traceId, AuditChanges changes, Map<String, Object> metadata) {

	/** The chain that holds events that belong to no tenant. */
	public static final String PLATFORM_TENANT = "_platform";

	private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");

	private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

	public AuditEvent {
		Objects.requireNonNull(id, "id");
		requireTenant(tenant);
		Objects.requireNonNull(occurredAt, "occurredAt");
		if (occurredAt.isBefore(EARLIEST) || occurredAt.isAfter(LATEST)) {
			// PostgreSQL could not store it, and one unstorable event would hold up the
			// spool replay behind it.
			throw new IllegalArgumentException("Audit time out of range: " + occurredAt);
		}
		occurredAt = occurredAt.truncatedTo(ChronoUnit.MILLIS);
		actor = (actor != null) ? actor : AuditActor.anonymous();
		if (action == null || action.length() > 128 || !isValidAction(action)) {
			throw new IllegalArgumentException(
					"Audit action must be dotted lower case, e.g. api_key.created: " + action);
		}
		Objects.requireNonNull(outcome, "outcome");
		reason = AuditText.clean(reason, 128);
		sourceIp = AuditText.clean(sourceIp, 64);
		userAgent = AuditText.clean(userAgent, 512);
		requestId = AuditText.clean(requestId, 128);
		traceId = AuditText.clean(traceId, 128);
		metadata = JsonValues.normalizeMap(AuditMasking.mask((metadata != null) ? metadata : Map.of()));
	}

	/**
	 * @param tenant a tenant slug
	 * @return whether events may be recorded for it
	 */
	public static boolean isValidTenant(String tenant) {
		// _platform|[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])? - checked on every event, so
		// without a regular expression.
		if (tenant == null) {
			return false;
		}
		if (tenant.equals(PLATFORM_TENANT)) {
			return true;
		}
		int length = tenant.length();
		if (length == 0 || length > 63 || !isLowerAlnum(tenant.charAt(0)) || !isLowerAlnum(tenant.charAt(length - 1))) {
			return false;
		}
		for (int i = 1; i < length - 1; i++) {
			char c = tenant.charAt(i);
			if (!isLowerAlnum(c) && c != '-') {
				return false;
			}
		}
		return true;
	}

	/**
	 * @return whether the action is dotted lower case,
	 * {@code [a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+}
	 */
	static boolean isValidAction(String action) {
		int segments = 0;
		int i = 0;
		int length = action.length();
		while (true) {
			if (i >= length || action.charAt(i) < 'a' || action.charAt(i) > 'z') {
				return false;
			}
			i++;
			while (i < length && (isLowerAlnum(action.charAt(i)) || action.charAt(i) == '_')) {
				i++;
			}
			segments++;
			if (i == length) {
				return segments >= 2;
			}
			if (action.charAt(i) != '.') {
				return false;
			}
			i++;
		}
	}

	private static boolean isLowerAlnum(char c) {
		return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
	}

	/**
	 * @param tenant a tenant slug
	 * @return the slug
	 * @throws IllegalArgumentException if it is not one
	 */
	public static String requireTenant(String tenant) {
		if (!isValidTenant(tenant)) {
			throw new IllegalArgumentException("Not a tenant slug: " + tenant);
		}
		return tenant;
	}

	/**
	 * @param tenant the tenant slug, or {@link #PLATFORM_TENANT}
	 * @param action dotted, past tense
	 * @return a builder with a fresh id, the current time and outcome success
	 */
	public static Builder builder(String tenant, String action) {
		return new Builder(tenant, action);
	}

	/**
	 * Builds {@link AuditEvent}s.
	 */
	public static final class Builder {

		private UUID id;

		private String tenant;

		private Instant occurredAt;

		private AuditActor actor = AuditActor.anonymous();

		private String action;

		private AuditResource resource;

		private AuditOutcome outcome = AuditOutcome.SUCCESS;

		private String reason;

		private String sourceIp;

		private String userAgent;

		private String requestId;

		private String traceId;

		private AuditChanges changes;

		private LinkedHashMap<String, Object> metadata;

		private Builder(String tenant, String action) {
			this.tenant = tenant;
			this.action = action;
		}

		public Builder id(UUID id) {
			this.id = id;
			return this;
		}

		public Builder tenant(String tenant) {
			this.tenant = tenant;
			return this;
		}

		public Builder occurredAt(Instant occurredAt) {
			this.occurredAt = occurredAt;
			return this;
		}

		public Builder actor(AuditActor actor) {
			this.actor = actor;
			return this;
		}

		public Builder action(String action) {
			this.action = action;
			return this;
		}

		public Builder resource(String type, String id) {
			this.resource = new AuditResource(type, id);
			return this;
		}

		public Builder resource(AuditResource resource) {
			this.resource = resource;
			return this;
		}

		public Builder outcome(AuditOutcome outcome) {
			this.outcome = outcome;
			return this;
		}

		/**
		 * @param outcome how it ended
		 * @param reason a reason code, e.g. {@code invalid_key}
		 * @return this builder
		 */
		public Builder outcome(AuditOutcome outcome, String reason) {
			this.outcome = outcome;
			this.reason = reason;
			return this;
		}

		public Builder reason(String reason) {
			this.reason = reason;
			return this;
		}

		public Builder sourceIp(String sourceIp) {
			this.sourceIp = sourceIp;
			return this;
		}

		public Builder userAgent(String userAgent) {
			this.userAgent = userAgent;
			return this;
		}

		public Builder requestId(String requestId) {
			this.requestId = requestId;
			return this;
		}

		public Builder traceId(String traceId) {
			this.traceId = traceId;
			return this;
		}

		/**
		 * @param before the values before the change ({@code null} for a creation)
		 * @param after the values after it ({@code null} for a deletion)
		 * @return this builder; secrets in either map are masked
		 */
		public Builder changes(Map<String, ?> before, Map<String, ?> after) {
			this.changes = AuditChanges.of(before, after);
			return this;
		}

		public Builder changes(AuditChanges changes) {
			this.changes = changes;
			return this;
		}

		public Builder metadata(Map<String, ?> metadata) {
			this.metadata = (metadata != null) ? new LinkedHashMap<>(metadata) : null;
			return this;
		}

		/**
		 * @param key a metadata key
		 * @param value its value (a number, text, boolean, list or map)
		 * @return this builder
		 */
		public Builder metadata(String key, Object value) {
			// The builder's own map: the event copies it (masked) when it is built.
			if (this.metadata == null) {
				this.metadata = new LinkedHashMap<>();
			}
			this.metadata.put(key, value);
			return this;
		}

		public AuditEvent build() {
			return new AuditEvent((this.id != null) ? this.id : UuidV7.next(), this.tenant,
					(this.occurredAt != null) ? this.occurredAt : Instant.now(Clock.systemUTC()), this.actor,
					this.action, this.resource, this.outcome, this.reason, this.sourceIp, this.userAgent,
					this.requestId, this.traceId, this.changes, (this.metadata != null) ? this.metadata : Map.of());
		}

	}

}
