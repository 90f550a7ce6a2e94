package io.quiver.worker.engine;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import io.quiver.worker.adapter.LoraAdapter;
import io.quiver.worker.adapter.LoraWeights;
import io.quiver.worker.demo.DemoModel;
import io.quiver.worker.kvcache.KvCache;
import io.quiver.worker.model.ModelConfig;
import io.quiver.worker.model.ModelFamily;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins the whole forward pass against an independent float64 PyTorch implementation
 * ({@code src/test/python/reference.py}): its logits for fixed prompts on the tiny demo
 * models, with and without adapters, are committed under {@code golden/} (see the README
 * there for how they were produced).
 */
class GoldenLogitsTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final double TOLERANCE = 1e-4;

	@TempDir
	Path dir;

	@ParameterizedTest
	@CsvSource({ "llama,", "llama,demo-legal", "llama,demo-sql", "qwen2,", "qwen2,demo-support", "qwen2,demo-legal" })
	void whenPromptsRunThenLogitsAndGreedyTokensMatchTheReference(String family, String adapterName) throws Exception {
		String name = "tiny-" + family + ((adapterName != null) ? "-" + adapterName : "");
		JsonNode golden;
		try (InputStream in = getClass().getResourceAsStream("/golden/" + name + ".json")) {
			golden = JSON.readTree(in);
		}
		Path model = this.dir.resolve("tiny-" + family);
		DemoModel.generate(model, DemoModel.Shape.TINY, ModelFamily.valueOf(family.toUpperCase()));
		Path adapters = this.dir.resolve("adapters");
		DemoModel.generateAdapters(model, adapters);
		assertThat(sha256(model.resolve("model.safetensors")))
			.as("the demo model changed; regenerate golden/ as its README says")
			.isEqualTo(golden.get("model_sha256").asString());
		ModelConfig config = ModelConfig.read(model);
		try (InferenceEngine engine = TestEngines.start(model, adapters, 4);
				KvCache cache = new KvCache(engine.model().manager(), config.numLayers(), config.numKvHeads(),
						config.headDim(), 16, 8)) {
			LoraAdapter adapter = null;
			if (adapterName != null) {
				adapter = TestEngines.standalone(config,
						LoraWeights.read(adapterName, adapters.resolve(adapterName), config), engine.model().manager());
			}
			for (JsonNode result : golden.get("results")) {
				int[] prompt = ints(result.get("prompt"));
				float[][] logits = engine.model().promptLogits(cache, prompt, adapter);
				JsonNode expected = result.get("logits");
				double worst = 0;
				for (int t = 0; t < prompt.length; t++) {
					for (int v = 0; v < config.vocabSize(); v++) {
						worst = Math.max(worst, Math.abs(logits[t][v] - expected.get(t).get(v).asDouble()));
					}
				}
				assertThat(worst).as("largest logit difference for %s", name).isLessThan(TOLERANCE);
				int[] greedy = TestEngines.await(TestEngines.run(engine,
						TestEngines.greedy("golden", adapterName, prompt, result.get("greedy").size())));
				assertThat(greedy).isEqualTo(ints(result.get("greedy")));
			}
		}
	}

	private static int[] ints(JsonNode array) {
		int[] out = new int[array.size()];
		for (int i = 0; i < out.length; i++) {
			out[i] = array.get(i).asInt();
		}
		return out;
	}

	private static String sha256(Path file) throws Exception {
		return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
	}

}
