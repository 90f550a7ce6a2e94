package io.quiver.worker.api;

import java.io.IOException;

import io.quiver.worker.engine.EngineConfig;
import io.quiver.worker.engine.InferenceEngine;
import io.quiver.worker.kvcache.KvCache;
import io.quiver.worker.model.ModelConfig;
import io.quiver.worker.scheduler.SchedulerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Builds the engine from {@link WorkerProperties}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ WorkerProperties.class, AdapterSourcesProperties.class })
class WorkerConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(WorkerConfiguration.class);

	@Bean(destroyMethod = "close")
	InferenceEngine inferenceEngine(WorkerProperties properties, AdapterSourcesProperties sources,
			Environment environment) throws IOException {
		ModelConfig model = ModelConfig.read(properties.modelDir());
		long perToken = KvCache.bytesPerToken(model.numLayers(), model.numKvHeads(), model.headDim());
		// No more cache than max-running sequences of the longest served length can use.
		long useful = perToken * properties.maxRunning() * (long) model.servedLength(properties.maxModelLength());
		long bytes = Math.min(properties.kvCacheSize().toBytes(), useful);
		int blocks = (int) Math.max(1, bytes / (perToken * properties.kvBlockSize()));
		int batchTokens = Math.max(properties.maxBatchTokens(), properties.maxRunning());
		EngineConfig config = new EngineConfig(
				new SchedulerConfig(properties.maxRunning(), batchTokens, properties.maxWaiting()),
				properties.maxModelLength(), properties.kvBlockSize(), blocks, properties.adapterHostMemory().toBytes(),
				properties.adapterDeviceMemory().toBytes());
		long started = System.nanoTime();
		InferenceEngine engine = InferenceEngine.start(properties.modelDir(), properties.adaptersDir(), config,
				sources.toConfig(environment.getProperty("HF_TOKEN")));
		logger.info("Loaded model {} ({} family, {} layers, {} parameters) in {} ms; KV cache {} blocks of {} tokens",
				properties.resolvedModelId(), model.family(), model.numLayers(), model.parameterCount(),
				(System.nanoTime() - started) / 1_000_000, blocks, properties.kvBlockSize());
		return engine;
	}

	@Bean
	ModelIds modelIds(WorkerProperties properties) {
		return new ModelIds(properties.resolvedModelId());
	}

}
