package io.quiver.tenancy.limit;

import java.util.UUID;

/**
 * Published when a tenant's or a key's limits change, inside that transaction.
 *
 * @param tenantId the tenant
 * @param keyPublicId the key's public id, or {@code null} for the tenant's own limits
 * @param before the limits before
 * @param after the limits now
 * @param changedBy who asked
 */
public record LimitsChanged(UUID tenantId, String keyPublicId, Limits before, Limits after, String changedBy) {
}
