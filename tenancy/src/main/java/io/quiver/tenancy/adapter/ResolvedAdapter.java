package io.quiver.tenancy.adapter;

/**
 * An adapter version as the gateway forwards it to a worker.
 *
 * @param id the worker-facing id {@code <tenant>/<name>@<version>}
 * @param name the adapter's name
 * @param version e.g. {@code v3}
 * @param baseModel the base model it applies to
 * @param sourceUri where the worker fetches it
 * @param sha256 the digest the worker verifies
 */
public record ResolvedAdapter(String id, String name, String version, String baseModel, String sourceUri,
		String sha256) {
}
