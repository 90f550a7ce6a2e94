package io.quiver.tenancy.apikey;

import java.util.UUID;

/**
 * Published when a key is revoked, inside the revoking transaction.
 *
 * @param tenantId the owning tenant
 * @param publicId the key's public id
 * @param revokedBy who revoked it
 */
public record ApiKeyRevoked(UUID tenantId, String publicId, String revokedBy) {
}
