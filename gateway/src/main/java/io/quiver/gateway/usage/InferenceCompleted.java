package io.quiver.gateway.usage;

import io.quiver.tenancy.usage.UsageRecord;

/**
 * Published when an inference request has been answered: its metadata only (tenant, key,
 * subject, model, adapter, token counts, latency, status), never prompt or completion
 * text.
 *
 * @param usage what the request used
 */
public record InferenceCompleted(UsageRecord usage) {
}
