package io.quiver.worker.engine;

import java.nio.file.Path;
import java.util.List;

import ai.djl.ndarray.NDManager;
import io.quiver.worker.adapter.LoraAdapter;
import io.quiver.worker.adapter.LoraWeights;
import io.quiver.worker.demo.DemoModel;
import io.quiver.worker.kvcache.KvCache;
import io.quiver.worker.model.ModelConfig;
import io.quiver.worker.model.ModelFamily;
import io.quiver.worker.tensor.Torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class TransformerTests {

	@TempDir
	static Path dir;

	static NDManager manager;

	@BeforeAll
	static void start() {
		manager = Torch.newManager();
	}

	@AfterAll
	static void stop() {
		manager.close();
	}

	@Test
	void whenLlamaPromptRunsThenLogitsMatchTheNaiveTwin() throws Exception {
		assertParity(ModelFamily.LLAMA, false);
	}

	@Test
	void whenQwen2PromptRunsThenLogitsMatchTheNaiveTwin() throws Exception {
		assertParity(ModelFamily.QWEN2, false);
	}

	@Test
	void whenAdapterAppliesThenLogitsMatchTheNaiveTwin() throws Exception {
		assertParity(ModelFamily.LLAMA, true);
	}

	private void assertParity(ModelFamily family, boolean withAdapter) throws Exception {
		Path model = dir.resolve(family.name() + withAdapter);
		DemoModel.generate(model, DemoModel.Shape.TINY, family);
		ModelConfig config = ModelConfig.read(model);
		int[] prompt = { 1, 72, 101, 108, 108, 111, 44, 300, 17, 2 };
		LoraWeights weights = null;
		LoraAdapter adapter = null;
		if (withAdapter) {
			Path adapterDir = DemoModel.generateAdapters(model, model.resolve("adapters")).get(1);
			weights = LoraWeights.read("a", adapterDir, config);
			adapter = TestEngines.standalone(config, weights, manager);
		}
		try (Transformer transformer = Transformer.load(config, model, manager, 64);
				KvCache cache = new KvCache(manager, config.numLayers(), config.numKvHeads(), config.headDim(), 4, 8)) {
			float[][] fast = transformer.promptLogits(cache, prompt, adapter);
			float[][] naive = new NaiveTransformer(config, model).promptLogits(prompt, weights);
			assertThat(fast).hasNumberOfRows(prompt.length);
			for (int t = 0; t < prompt.length; t++) {
				for (int i = 0; i < config.vocabSize(); i++) {
					assertThat(fast[t][i]).as("position %d token %d", t, i)
						.isCloseTo(naive[t][i], org.assertj.core.data.Offset.offset(2e-4f));
				}
			}
		}
	}

}
