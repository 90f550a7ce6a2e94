package io.quiver.worker.engine;

import io.quiver.worker.scheduler.SchedulerConfig;

/**
 * How the engine is sized.
 *
 * @param scheduler the scheduler's limits
 * @param maxModelLength the longest sequence (prompt and output) served
 * @param kvBlockSize token slots per KV-cache block
 * @param kvBlocks KV-cache blocks
 * @param adapterHostBytes the host tier's budget
 * @param adapterDeviceBytes the device tier's budget
 */
public record EngineConfig(SchedulerConfig scheduler, int maxModelLength, int kvBlockSize, int kvBlocks,
		long adapterHostBytes, long adapterDeviceBytes) {
}
