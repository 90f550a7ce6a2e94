package io.quiver.tenancy.adapter;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;

/**
 * Where uploaded adapter files are kept, so that workers can fetch them by URI: a
 * directory ({@code file:} URIs) or a bucket ({@code s3://}, {@code gs://} or
 * {@code az://} URIs), chosen by {@code quiver.adapters.store-uri}.
 */
public interface AdapterStore {

	/**
	 * Receives the weights into a staging area, computing their digest on the way and
	 * refusing more than {@code maxBytes}.
	 * @param weights the uploaded {@code adapter_model.safetensors}
	 * @param maxBytes the most bytes accepted
	 * @return the staged upload
	 * @throws IOException if storage fails
	 */
	Staged stage(InputStream weights, long maxBytes) throws IOException;

	/**
	 * Makes a staged upload permanent.
	 * @param staged what {@link #stage} returned
	 * @param config the bytes of {@code adapter_config.json}
	 * @param tenant the tenant's slug
	 * @param name the adapter's name
	 * @param version the version
	 * @return the URI of the PEFT directory a worker fetches
	 * @throws IOException if storage fails
	 */
	String publish(Staged staged, byte[] config, String tenant, String name, String version) throws IOException;

	/**
	 * Whether a URI points into this store, where only uploads may lead: a tenant who
	 * registered such a URI could have workers serve another tenant's upload.
	 * @param source a URI a tenant names
	 * @return whether it is inside this store
	 */
	default boolean owns(URI source) {
		return false;
	}

	/**
	 * An upload received but not yet published.
	 *
	 * @param weights where the weights are staged
	 * @param sha256 their SHA-256, hex
	 * @param size their size in bytes
	 */
	record Staged(Path weights, String sha256, long size) {
	}

}
