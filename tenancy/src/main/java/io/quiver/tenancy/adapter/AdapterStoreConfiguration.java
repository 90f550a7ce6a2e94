package io.quiver.tenancy.adapter;

import java.net.URI;
import java.nio.file.Path;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Picks the adapter store: an S3 or Cloud Storage bucket when
 * {@code quiver.adapters.store-uri} is an {@code s3://}, {@code gs://} or {@code az://}
 * URI, else a directory ({@code store-uri} as a {@code file:} URI, or
 * {@code store-directory}, or {@code adapters} under {@code quiver.home}).
 */
@Configuration(proxyBeanMethods = false)
class AdapterStoreConfiguration {

	@Bean
	AdapterStore adapterStore(AdapterProperties properties, @Value("${quiver.home:.quiver}") String home) {
		URI uri = properties.storeUri();
		Path directory = (properties.storeDirectory() != null) ? properties.storeDirectory()
				: Path.of(home).resolve("adapters");
		if (uri == null) {
			return new LocalAdapterStore(directory);
		}
		if ("file".equalsIgnoreCase(uri.getScheme())) {
			return new LocalAdapterStore(Path.of(uri));
		}
		Path staging = (properties.storeDirectory() != null) ? properties.storeDirectory().resolve(".staging")
				: Path.of(System.getProperty("java.io.tmpdir"), "quiver-adapter-uploads");
		if ("s3".equalsIgnoreCase(uri.getScheme())) {
			return new S3AdapterStore(uri, properties.s3(), staging);
		}
		if ("gs".equalsIgnoreCase(uri.getScheme())) {
			return new GcsAdapterStore(uri, properties.gcs(), staging);
		}
		if ("az".equalsIgnoreCase(uri.getScheme())) {
			return new AzureBlobAdapterStore(uri, properties.azure(), staging);
		}
		throw new IllegalArgumentException("quiver.adapters.store-uri must be s3://bucket/prefix, gs://bucket/prefix, "
				+ "az://account/container/prefix or a file: URI, not " + uri.getScheme() + ":");
	}

}
