package io.quiver.audit.query;

import java.util.List;

import io.quiver.audit.AuditRecord;

/**
 * One page of a query.
 *
 * @param events the records, in sequence order
 * @param nextCursor pass as {@code cursor} for the next page; {@code null} on the last
 */
public record AuditPage(List<AuditRecord> events, String nextCursor) {

}
