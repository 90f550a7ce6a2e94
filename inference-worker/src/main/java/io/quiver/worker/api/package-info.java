/**
 * The worker's HTTP API: the OpenAI dialect ({@code /v1/completions},
 * {@code /v1/chat/completions}, {@code /v1/models}) and the worker extension
 * ({@code /status}, {@code /adapters/{id}}, {@code /drain}).
 */
package io.quiver.worker.api;
