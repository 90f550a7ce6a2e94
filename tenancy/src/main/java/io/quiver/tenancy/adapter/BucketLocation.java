package io.quiver.tenancy.adapter;

import java.net.URI;

/**
 * Where in a bucket a store publishes: {@code scheme://bucket[/prefix]}.
 *
 * @param bucket the bucket
 * @param prefix the prefix of every object name, ending in {@code /}, or empty
 */
record BucketLocation(String bucket, String prefix) {

	/**
	 * @param location {@code scheme://bucket[/prefix]}
	 * @return its bucket and prefix
	 * @throws IllegalArgumentException if it names no bucket
	 */
	static BucketLocation of(URI location) {
		String bucket = location.getRawAuthority();
		if (bucket == null || bucket.isEmpty() || bucket.contains("@")) {
			throw new IllegalArgumentException("quiver.adapters.store-uri must name a bucket as " + location.getScheme()
					+ "://bucket/prefix, not " + location);
		}
		String path = (location.getPath() != null) ? location.getPath().replaceAll("^/+|/+$", "") : "";
		return new BucketLocation(bucket, path.isEmpty() ? "" : path + "/");
	}

}
