package io.quiver.tenancy.apikey;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * Who an authenticated API key speaks for.
 *
 * @param keyId the key's internal id
 * @param publicId the key's public id (safe to log)
 * @param tenantId the tenant's id
 * @param tenant the tenant's slug
 * @param scopes what the key may do
 * @param expiresAt when it stops working, or {@code null}
 */
public record ApiKeyPrincipal(UUID keyId, String publicId, UUID tenantId, String tenant, Set<String> scopes,
		Instant expiresAt) {

	/**
	 * @param scope a scope such as {@code inference}
	 * @return whether the key carries it
	 */
	public boolean hasScope(String scope) {
		return this.scopes.contains(scope);
	}

}
