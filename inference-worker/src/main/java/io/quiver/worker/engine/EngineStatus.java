package io.quiver.worker.engine;

/**
 * The engine's state as of its last step, for {@code /status} and metrics.
 *
 * @param waiting sequences waiting for admission (or for their adapter)
 * @param running sequences holding KV-cache blocks
 * @param kvUsage KV-cache use, 0..1
 * @param lastBatchRows rows in the last forward pass
 * @param steps forward passes so far
 * @param generatedTokens tokens generated so far
 * @param promptTokens prompt tokens prefilled so far
 * @param preemptions sequences preempted so far
 * @param draining whether new requests are refused
 */
public record EngineStatus(int waiting, int running, double kvUsage, int lastBatchRows, long steps,
		long generatedTokens, long promptTokens, long preemptions, boolean draining) {
}
