package io.quiver.audit.query;

import java.time.Instant;

import io.quiver.audit.AuditEvent;

/**
 * What to read from one tenant's trail. Every filter is optional.
 *
 * @param tenant the chain
 * @param from events that occurred at or after this
 * @param to events that occurred before this
 * @param actor the actor id or key public id
 * @param action an exact action, or a prefix ending in {@code .*} ({@code api_key.*})
 * @param outcome {@code success}, {@code failure} or {@code denied}
 * @param resourceType the resource type
 * @param resourceId the resource id
 * @param afterSequence only events after this sequence (the cursor)
 * @param limit the most events to return
 */
public record AuditQuery(String tenant, Instant from, Instant to, String actor, String action, String outcome,
		String resourceType, String resourceId, long afterSequence, int limit) {

	public AuditQuery {
		AuditEvent.requireTenant(tenant);
		if (limit < 1) {
			throw new IllegalArgumentException("limit must be positive");
		}
	}

	public AuditQuery after(long sequence) {
		return new AuditQuery(this.tenant, this.from, this.to, this.actor, this.action, this.outcome, this.resourceType,
				this.resourceId, sequence, this.limit);
	}

}
