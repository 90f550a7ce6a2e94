package io.quiver.gateway.security;

import java.util.UUID;

/**
 * Published when a request authenticates. Carries no credential.
 *
 * @param tenantId the caller's tenant
 * @param subject the key's public id or the user's subject
 * @param keyPublicId the key's public id, or {@code null} for a JWT
 * @param method {@code api_key} or {@code jwt}
 * @param source the client's address
 * @param path the request path
 */
public record CallerAuthenticated(UUID tenantId, String subject, String keyPublicId, String method, String source,
		String path) {
}
