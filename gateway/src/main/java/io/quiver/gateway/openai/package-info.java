/**
 * The OpenAI-compatible API ({@code /v1}): request validation, model resolution in the
 * caller's tenant, forwarding to workers, and the OpenAI error envelope.
 */
package io.quiver.gateway.openai;
