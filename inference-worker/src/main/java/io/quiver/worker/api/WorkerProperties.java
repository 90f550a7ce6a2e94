package io.quiver.worker.api;

import java.nio.file.Path;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The worker's configuration.
 *
 * @param modelDir the model directory (Hugging Face layout)
 * @param modelId the id the base model is served under; defaults to the model directory's
 * folder name
 * @param adaptersDir a folder whose sub-folders (PEFT adapters) are servable by name
 * @param maxRunning sequences decoded together at most
 * @param maxBatchTokens rows in one forward pass at most (the prefill chunk size)
 * @param maxWaiting requests that may wait beyond the running ones before 429s
 * @param maxModelLength the longest sequence served (capped by the model's
 * {@code max_position_embeddings})
 * @param kvBlockSize token slots per KV-cache block
 * @param kvCacheSize memory for the KV cache at most (less when {@code maxRunning}
 * sequences of the longest served length need less)
 * @param adapterHostMemory the adapter host tier's budget
 * @param adapterDeviceMemory the adapter device tier's budget
 */
@ConfigurationProperties("quiver.worker")
@Validated
record WorkerProperties(@NotNull Path modelDir, String modelId, Path adaptersDir,
		@DefaultValue("32") @Min(1) int maxRunning, @DefaultValue("512") @Min(1) int maxBatchTokens,
		@DefaultValue("256") @Min(0) int maxWaiting, @DefaultValue("4096") @Min(16) int maxModelLength,
		@DefaultValue("16") @Min(1) int kvBlockSize, @DefaultValue("1GB") DataSize kvCacheSize,
		@DefaultValue("2GB") DataSize adapterHostMemory, @DefaultValue("1GB") DataSize adapterDeviceMemory) {

	String resolvedModelId() {
		return (this.modelId != null && !this.modelId.isBlank()) ? this.modelId
				: this.modelDir.toAbsolutePath().normalize().getFileName().toString();
	}

}
