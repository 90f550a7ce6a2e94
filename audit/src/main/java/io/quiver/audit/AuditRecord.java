package io.quiver.audit;

import java.time.Instant;

/**
 * An event as the trail holds it: its place in the tenant's chain and the hashes that
 * link it.
 *
 * @param sequence the event's position in its tenant's chain, from 1, without gaps
 * @param recordedAt when the trail stored it
 * @param prevHash hex SHA-256 of the previous event (64 zeros for the first)
 * @param hash hex SHA-256 of {@code prevHash} bytes followed by this event's canonical
 * JSON
 * @param event the event
 */
public record AuditRecord(long sequence, Instant recordedAt, String prevHash, String hash, AuditEvent event) {

}
