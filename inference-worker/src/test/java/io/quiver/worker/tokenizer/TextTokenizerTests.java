package io.quiver.worker.tokenizer;

import java.nio.file.Path;
import java.util.List;

import io.quiver.worker.demo.DemoModel;
import io.quiver.worker.model.ModelConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class TextTokenizerTests {

	@TempDir
	static Path dir;

	static TextTokenizer tokenizer;

	@BeforeAll
	static void load() throws Exception {
		DemoModel.generate(dir, DemoModel.Shape.TINY);
		tokenizer = TextTokenizer.load(dir, ModelConfig.read(dir).eosTokenIds());
	}

	@AfterAll
	static void close() {
		tokenizer.close();
	}

	@Test
	void whenTextIsEncodedThenItDecodesBackAndUsesMerges() {
		String text = "The quick brown fox, ünïcödé 日本 and 42.";
		int[] ids = tokenizer.encode(text, true);
		assertThat(tokenizer.decode(ids)).isEqualTo(text);
		assertThat(ids.length).isLessThan(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
	}

	@Test
	void whenChatIsRenderedThenChatMlFramesEachMessageAndOpensTheAnswer() {
		String prompt = tokenizer
			.applyChatTemplate(List.of(new ChatMessage("system", "Be brief."), new ChatMessage("user", "Hi")), true);
		assertThat(prompt).isEqualTo(
				"<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
		int[] ids = tokenizer.encode(prompt, false);
		assertThat(ids[0]).isEqualTo(1);
		assertThat(tokenizer.eosTokenIds()).contains(2);
	}

	@Test
	void whenTokensArriveOneByOneThenDeltasNeverSplitACharacter() {
		String text = "añb日本c";
		int[] ids = tokenizer.encode(text, false);
		IncrementalDetokenizer detokenizer = new IncrementalDetokenizer(tokenizer);
		StringBuilder out = new StringBuilder();
		for (int id : ids) {
			String delta = detokenizer.next(id);
			assertThat(delta).doesNotContain("\uFFFD");
			out.append(delta);
		}
		out.append(detokenizer.flush());
		assertThat(out.toString()).isEqualTo(text);
	}

}
