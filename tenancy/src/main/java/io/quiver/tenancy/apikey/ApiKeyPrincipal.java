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
 * @param allowedModels the models and adapters it may use; empty means all of its
 * tenant's
 * @param serviceAccount the owning service account's public id, or {@code null}
 */
public record ApiKeyPrincipal(UUID keyId, String publicId, UUID tenantId, String tenant, Set<String> scopes,
		Instant expiresAt, Set<String> allowedModels, String serviceAccount) {

	/**
	 * @param scope a scope such as {@code inference}
	 * @return whether the key carries it
	 */
	public boolean hasScope(String scope) {
		return this.scopes.contains(scope);
	}

}
