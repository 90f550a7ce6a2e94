package io.quiver.tenancy.adapter;

import java.util.UUID;

/**
 * Published when an adapter's default version or a version's status changes, inside that
 * transaction.
 *
 * @param tenantId the tenant
 * @param name the adapter's name
 * @param change what changed, e.g. {@code default_version=v2} or {@code v1=disabled}
 * @param changedBy who asked
 */
public record AdapterChanged(UUID tenantId, String name, String change, String changedBy) {
}
