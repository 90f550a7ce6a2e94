package io.quiver.tenancy.usage;

import java.time.LocalDate;

/**
 * Usage of one day (UTC), per key and adapter.
 *
 * @param day the day
 * @param apiKey the key's public id, or empty for JWT callers
 * @param adapter the adapter id, or empty for the base model
 * @param requests requests received
 * @param errors requests that failed
 * @param promptTokens prompt tokens
 * @param completionTokens completion tokens
 */
public record DailyUsage(LocalDate day, String apiKey, String adapter, long requests, long errors, long promptTokens,
		long completionTokens) {
}
