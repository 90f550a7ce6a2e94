package io.quiver.tenancy.identityprovider;

import java.util.UUID;

/**
 * Published when an identity provider is registered or changed, inside that transaction.
 *
 * @param tenantId the tenant
 * @param publicId the provider's public id
 * @param issuer its issuer
 * @param jwksUri where its keys come from
 * @param changedBy who asked
 */
public record IdentityProviderRegistered(UUID tenantId, String publicId, String issuer, String jwksUri,
		String changedBy) {
}
