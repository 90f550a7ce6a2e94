package io.quiver.tenancy.identityprovider;

import java.util.UUID;

/**
 * Published when an identity provider is removed, inside that transaction; its tokens
 * stop working.
 *
 * @param tenantId the tenant
 * @param publicId the provider's public id
 * @param issuer its issuer
 * @param removedBy who asked
 */
public record IdentityProviderRemoved(UUID tenantId, String publicId, String issuer, String removedBy) {
}
