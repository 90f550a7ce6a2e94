package io.quiver.gateway.routing;

import java.util.Map;
import java.util.Set;

/**
 * What a worker last reported about itself ({@code GET /status}, or a vLLM server's
 * {@code /v1/models} and {@code /metrics}).
 *
 * @param baseModels the base models it serves (one for a Quiver worker)
 * @param queueDepth requests waiting to be admitted
 * @param running sequences being decoded
 * @param kvCacheUsage share of the KV cache in use, 0..1
 * @param adapters the adapters it holds, by id, with their tier
 * @param maxRunning the most sequences it decodes at once, or 0 if unknown
 * @param draining whether it has stopped admitting new requests
 */
public record WorkerStatus(Set<String> baseModels, int queueDepth, int running, double kvCacheUsage,
		Map<String, AdapterTier> adapters, int maxRunning, boolean draining) {

	static final WorkerStatus UNKNOWN = new WorkerStatus(Set.of(), 0, 0, 0, Map.of(), 0, false);

	public WorkerStatus {
		baseModels = Set.copyOf(baseModels);
		adapters = Map.copyOf(adapters);
	}

	/**
	 * @param adapterId an adapter id
	 * @return whether it is loaded and usable at once (device or host tier)
	 */
	public boolean holds(String adapterId) {
		AdapterTier tier = this.adapters.get(adapterId);
		return tier == AdapterTier.DEVICE || tier == AdapterTier.HOST;
	}

	/**
	 * @param adapters where it keeps which adapter
	 * @return this status with those adapters
	 */
	WorkerStatus withAdapters(Map<String, AdapterTier> adapters) {
		return new WorkerStatus(this.baseModels, this.queueDepth, this.running, this.kvCacheUsage, adapters,
				this.maxRunning, this.draining);
	}

	/**
	 * @param adapterId an adapter id
	 * @return whether it is being loaded right now
	 */
	public boolean loading(String adapterId) {
		return this.adapters.get(adapterId) == AdapterTier.LOADING;
	}

	/** Where a worker keeps an adapter. */
	public enum AdapterTier {

		/** In accelerator memory: usable in the next step. */
		DEVICE,

		/** In host memory: a copy to the device away. */
		HOST,

		/** Being fetched or verified. */
		LOADING;

		static AdapterTier parse(String tier) {
			if (tier == null) {
				return DEVICE;
			}
			return switch (tier.toLowerCase(java.util.Locale.ROOT)) {
				case "host", "cpu" -> HOST;
				case "loading", "fetching", "pending" -> LOADING;
				default -> DEVICE;
			};
		}

	}

}
