/**
 * Web plumbing shared by every endpoint: each failure answered in its caller's dialect
 * (OpenAI envelope on {@code /v1}, RFC 9457 ProblemDetail elsewhere).
 */
package io.quiver.gateway.web;
