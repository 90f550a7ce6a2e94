package io.quiver.gateway.security;

/**
 * Published when a presented credential is refused, or a source is refused for failing
 * too often. Carries nothing of the credential itself.
 *
 * @param method what the credential looked like: {@code api_key}, {@code jwt} or
 * {@code unknown}
 * @param reason {@code invalid_credential} or {@code too_many_failures}
 * @param source the client's address
 * @param path the request path
 */
public record AuthenticationFailed(String method, String reason, String source, String path) {
}
