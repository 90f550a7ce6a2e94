package io.quiver.gateway.security;

import java.util.Set;
import java.util.UUID;

/**
 * Whoever an authenticated request speaks for, whatever the credential.
 *
 * @param tenantId the tenant's id
 * @param tenant the tenant's slug
 * @param subject the key's public id, or the user's id
 * @param keyPublicId the API key's public id, or {@code null} for a JWT
 * @param method how the caller authenticated ({@code api_key}, {@code jwt})
 * @param scopes what the caller may do
 */
public record Caller(UUID tenantId, String tenant, String subject, String keyPublicId, String method,
		Set<String> scopes) {

	/**
	 * @param scope e.g. {@code inference}
	 * @return whether the caller holds it
	 */
	public boolean hasScope(String scope) {
		return this.scopes.contains(scope);
	}

}
