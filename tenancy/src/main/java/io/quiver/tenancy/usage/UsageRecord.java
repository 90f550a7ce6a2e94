package io.quiver.tenancy.usage;

import java.time.Instant;
import java.util.UUID;

/**
 * One metered request. Metadata only: never a prompt, a completion or a secret.
 *
 * @param tenantId the tenant
 * @param apiKey the key's public id, or {@code null} for a JWT caller
 * @param subject the user's subject or the key's public id
 * @param model the base model that served it
 * @param adapter the adapter id ({@code <tenant>/<name>@<version>}), or {@code null}
 * @param promptTokens prompt tokens as the worker counted them
 * @param completionTokens completion tokens as the worker counted them
 * @param latencyMillis time from receipt to the last byte
 * @param status the HTTP status returned
 * @param requestId the request's id
 * @param occurredAt when it was received
 */
public record UsageRecord(UUID tenantId, String apiKey, String subject, String model, String adapter, int promptTokens,
		int completionTokens, int latencyMillis, int status, String requestId, Instant occurredAt) {
}
