package io.quiver.worker.engine;

import java.nio.file.Path;

import io.quiver.worker.demo.DemoModel;
import io.quiver.worker.scheduler.SchedulerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class ChunkedPrefillTests {

	@TempDir
	Path dir;

	@Test
	void whenALongPromptIsPrefilledInChunksThenItDecodesAsIfPrefilledAtOnce() throws Exception {
		DemoModel.generate(this.dir, DemoModel.Shape.TINY);
		int[] prompt = new int[300];
		for (int i = 0; i < prompt.length; i++) {
			prompt[i] = 3 + (i * 37) % 310;
		}
		int[] whole = greedy(prompt, 512);
		int[] chunked = greedy(prompt, 48);
		assertThat(chunked).isEqualTo(whole);
	}

	private int[] greedy(int[] prompt, int chunk) throws Exception {
		EngineConfig config = new EngineConfig(new SchedulerConfig(4, chunk, 4), 1024, 16, 64, 1 << 20, 1 << 20);
		try (InferenceEngine engine = InferenceEngine.start(this.dir, null, config)) {
			int[] tokens = TestEngines.await(TestEngines.run(engine, TestEngines.greedy("long", null, prompt, 10)));
			assertThat(engine.status().steps()).isGreaterThanOrEqualTo(prompt.length / chunk);
			return tokens;
		}
	}

}
