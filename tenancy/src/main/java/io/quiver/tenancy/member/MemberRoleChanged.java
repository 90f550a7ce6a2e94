package io.quiver.tenancy.member;

import java.util.UUID;

/**
 * Published when a member's role changes, inside that transaction.
 *
 * @param tenantId the tenant
 * @param publicId the member's public id
 * @param before the old role
 * @param after the new role
 * @param changedBy who asked
 */
public record MemberRoleChanged(UUID tenantId, String publicId, String before, String after, String changedBy) {
}
