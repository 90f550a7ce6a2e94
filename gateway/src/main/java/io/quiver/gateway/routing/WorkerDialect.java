package io.quiver.gateway.routing;

/**
 * How the gateway talks to a worker beyond the OpenAI endpoints they both speak.
 */
public enum WorkerDialect {

	/**
	 * A Quiver worker: {@code GET /status}, {@code PUT /adapters/{id}}, adapters fetched
	 * on demand from the {@code Quiver-Adapter-Source} header.
	 */
	QUIVER,

	/**
	 * A vLLM OpenAI server started with {@code --enable-lora}: load from
	 * {@code /v1/models} and {@code /metrics}, adapters loaded through
	 * {@code POST /v1/load_lora_adapter} before the first request that needs them.
	 */
	VLLM

}
