/**
 * Enforcement of tenants' and keys' limits on the request path: counters in Redis or in
 * process, reservations settled with real token counts, OpenAI's 429 headers.
 */
package io.quiver.gateway.limits;
