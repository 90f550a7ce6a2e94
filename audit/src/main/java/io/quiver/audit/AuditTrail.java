package io.quiver.audit;

/**
 * Where audit events go. Admin changes use {@link #record(AuditEvent)}, so that the
 * change and its event commit or roll back together; per-request events use
 * {@link #submit(AuditEvent)}, which never makes the request wait on the database.
 */
public interface AuditTrail {

	/**
	 * Appends the event to its tenant's chain now, inside the caller's Spring-managed
	 * transaction when there is one (in a transaction of its own otherwise). Holds the
	 * tenant's chain head until that transaction ends, so keep such transactions short.
	 * @param event the event
	 * @return the stored record, with its sequence and hash
	 */
	AuditRecord record(AuditEvent event);

	/**
	 * Accepts the event for writing in the background, in batches, and returns at once.
	 * An accepted event is never lost: while the database is unavailable, or after the
	 * trail has begun to shut down, events go to a local append-only spool file that is
	 * replayed, in order, as soon as the database answers again.
	 * @param event the event
	 */
	void submit(AuditEvent event);

}
