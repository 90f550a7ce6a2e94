package io.quiver.tenancy.member;

import java.util.UUID;

/**
 * Published when a member leaves a tenant, inside that transaction.
 *
 * @param tenantId the tenant
 * @param publicId the member's public id
 * @param removedBy who asked
 */
public record MemberRemoved(UUID tenantId, String publicId, String removedBy) {
}
