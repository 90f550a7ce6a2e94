package io.quiver.gateway.security;

import java.util.UUID;

/**
 * Published when an authenticated caller is refused an operation, including attempts on
 * another tenant's paths (answered 404).
 *
 * @param tenantId the caller's tenant
 * @param subject the key's public id or the user's subject
 * @param method the HTTP method
 * @param path the request path
 * @param status the status answered (403, or 404 for another tenant's path)
 */
public record AccessDenied(UUID tenantId, String subject, String method, String path, int status) {
}
