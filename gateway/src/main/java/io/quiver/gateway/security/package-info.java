/**
 * Authentication and authorization: API keys (and, per tenant, JWTs) resolved to one
 * {@link Caller}, and the filter chains that guard {@code /v1}, {@code /admin} and the
 * actuator.
 */
package io.quiver.gateway.security;
