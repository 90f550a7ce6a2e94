package io.quiver.gateway.routing;

import java.util.Map;

/**
 * One generation request as the proxy forwards it.
 *
 * @param tenant the caller's tenant slug (its bulkhead, its metrics)
 * @param baseModel the base model the request needs
 * @param adapterId the adapter id ({@code <tenant>/<name>@<version>}), or {@code null}
 * for the base model
 * @param path the worker path, e.g. {@code /v1/chat/completions}
 * @param body the request body as the worker should see it ({@code model} rewritten)
 * @param headers extra headers for the worker: {@code x-request-id},
 * {@code Quiver-Adapter-Source}, {@code Quiver-Adapter-Sha256}
 * @param traceparent the caller's W3C {@code traceparent}, or {@code null}
 */
public record InferenceCall(String tenant, String baseModel, String adapterId, String path, byte[] body,
		Map<String, String> headers, String traceparent) {

	/** The header that tells a worker where to fetch an adapter it does not hold. */
	public static final String ADAPTER_SOURCE = "Quiver-Adapter-Source";

	/** The header with the adapter's SHA-256, which the worker verifies. */
	public static final String ADAPTER_SHA256 = "Quiver-Adapter-Sha256";

	/**
	 * The header with the model name the caller used, which a Quiver worker shows in its
	 * answer's {@code model} instead of the adapter's versioned id.
	 */
	public static final String MODEL_NAME = "Quiver-Model-Name";

}
