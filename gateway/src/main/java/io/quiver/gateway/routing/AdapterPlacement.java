package io.quiver.gateway.routing;

import io.quiver.gateway.routing.WorkerStatus.AdapterTier;

/**
 * Where one adapter is held, as the pool's last {@code /status} poll of each worker (and
 * what the gateway loaded since) says: a read-only view for pages that show it.
 *
 * @param workerId the worker's opaque name, as {@code x-quiver-worker} shows it
 * @param tier where it keeps the adapter
 * @param ready whether that worker takes requests now
 */
public record AdapterPlacement(String workerId, AdapterTier tier, boolean ready) {
}
