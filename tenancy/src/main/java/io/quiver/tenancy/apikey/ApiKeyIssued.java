package io.quiver.tenancy.apikey;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * Published when a key is issued, inside the issuing transaction. Carries no secret.
 *
 * @param tenantId the owning tenant
 * @param publicId the key's public id
 * @param name its name
 * @param scopes what it may do
 * @param expiresAt when it stops working, or {@code null}
 * @param issuedBy who issued it
 */
public record ApiKeyIssued(UUID tenantId, String publicId, String name, Set<String> scopes, Instant expiresAt,
		String issuedBy) {
}
