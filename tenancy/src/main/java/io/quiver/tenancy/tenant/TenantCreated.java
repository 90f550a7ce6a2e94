package io.quiver.tenancy.tenant;

import java.util.UUID;

/**
 * Published after a tenant is created, inside the creating transaction.
 *
 * @param tenantId the new tenant's id
 * @param slug its public handle
 * @param createdBy who created it
 */
public record TenantCreated(UUID tenantId, String slug, String createdBy) {
}
