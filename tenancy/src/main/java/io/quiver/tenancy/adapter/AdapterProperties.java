package io.quiver.tenancy.adapter;

import java.nio.file.Path;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Where uploaded adapters go and what they are checked against.
 *
 * @param storeDirectory where uploaded PEFT directories are kept (a worker must be able
 * to read the {@code file:} URIs under it); {@code adapters} under {@code quiver.home}
 * when unset
 * @param maxUploadSize the largest {@code adapter_model.safetensors} accepted
 * @param baseModels known base models' dimensions, by model id; an adapter for one of
 * them must have matching shapes
 */
@ConfigurationProperties("quiver.adapters")
record AdapterProperties(Path storeDirectory, @DefaultValue("512MB") DataSize maxUploadSize,
		Map<String, BaseModelShape> baseModels) {

	AdapterProperties {
		baseModels = (baseModels != null) ? Map.copyOf(baseModels) : Map.of();
	}

	/**
	 * @param hiddenSize {@code hidden_size} in the base model's config.json
	 * @param intermediateSize {@code intermediate_size}, or 0 when unknown
	 */
	record BaseModelShape(int hiddenSize, int intermediateSize) {
	}

}
