package io.quiver.tenancy.adapter;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A store that publishes to a bucket the workers read with their own identity:
 * {@code scheme://bucket/prefix/{tenant}/{name}/{version}/} holds
 * {@code adapter_config.json} and {@code adapter_model.safetensors}. Uploads are staged
 * on local disk first, where they are checked, and only then written to the bucket,
 * weights first: a directory with a config is one a worker may try to read.
 */
abstract class BucketAdapterStore implements AdapterStore {

	private final String scheme;

	private final BucketLocation location;

	private final Path staging;

	/**
	 * @param location {@code scheme://bucket[/prefix]}
	 * @param staging the local folder uploads are staged in
	 */
	BucketAdapterStore(URI location, Path staging) {
		this.scheme = location.getScheme().toLowerCase(Locale.ROOT);
		this.location = BucketLocation.of(location);
		this.staging = staging;
	}

	/**
	 * @return the bucket (for {@code az://}, the storage account)
	 */
	String bucket() {
		return this.location.bucket();
	}

	@Override
	public Staged stage(InputStream weights, long maxBytes) throws IOException {
		return UploadStaging.stage(this.staging, weights, maxBytes);
	}

	@Override
	public String publish(Staged staged, byte[] config, String tenant, String name, String version) throws IOException {
		String directory = this.location.prefix() + tenant + "/" + name + "/" + version;
		writeFile(directory + "/adapter_model.safetensors", staged.weights());
		writeJson(directory + "/adapter_config.json", config);
		return uriOf(directory);
	}

	@Override
	public boolean owns(URI source) {
		return this.scheme.equalsIgnoreCase(source.getScheme()) && bucket().equalsIgnoreCase(source.getRawAuthority());
	}

	/**
	 * @param object an object's name in the bucket
	 * @return its URI, for workers and messages
	 */
	String uriOf(String object) {
		return this.scheme + "://" + bucket() + "/" + object;
	}

	/**
	 * Writes a file to an object.
	 * @param object the object's name
	 * @param file the file
	 * @throws IOException if the bucket refuses, with a message naming the object
	 */
	abstract void writeFile(String object, Path file) throws IOException;

	/**
	 * Writes JSON to an object.
	 * @param object the object's name
	 * @param json the bytes
	 * @throws IOException if the bucket refuses, with a message naming the object
	 */
	abstract void writeJson(String object, byte[] json) throws IOException;

}
