package io.quiver.tenancy.member;

import java.util.UUID;

/**
 * Published when a person or service account joins a tenant, inside that transaction.
 *
 * @param tenantId the tenant
 * @param publicId the member's public id
 * @param kind {@code user} or {@code service_account}
 * @param role the role granted
 * @param addedBy who asked
 */
public record MemberAdded(UUID tenantId, String publicId, String kind, String role, String addedBy) {
}
