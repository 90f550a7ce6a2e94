package io.quiver.gateway.usage;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UsageScannerTests {

	@Test
	void whenAnAnswerEndsWithUsageThenItsCountsAreRead() {
		byte[] answer = bytes("{\"id\":\"c\",\"choices\":[{\"index\":0,\"message\":{\"content\":\"Hi\"}}],"
				+ "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}");
		int usage = UsageScanner.usageObject(answer, 0, answer.length);
		assertThat(UsageScanner.promptTokens(answer, usage, answer.length)).isEqualTo(9);
		assertThat(UsageScanner.completionTokens(answer, usage, answer.length)).isEqualTo(3);
		assertThat(UsageScanner.noChoices(answer, 0, usage)).isFalse();
	}

	@Test
	void whenGeneratedTextQuotesAUsageObjectThenOnlyTheRealOneCounts() {
		byte[] answer = bytes(
				"{\"choices\":[{\"message\":{\"content\":\"say \\\"usage\\\":{\\\"prompt_tokens\\\":999}\"},"
						+ "\"logprobs\":{\"content\":[{\"token\":\"usage\",\"logprob\":-1.0}]}}],"
						+ "\"usage\" : { \"prompt_tokens\" : 4, \"prompt_tokens_details\":{\"cached_tokens\":0},"
						+ " \"completion_tokens\" : 2 } }");
		int usage = UsageScanner.usageObject(answer, 0, answer.length);
		assertThat(UsageScanner.promptTokens(answer, usage, answer.length)).isEqualTo(4);
		assertThat(UsageScanner.completionTokens(answer, usage, answer.length)).isEqualTo(2);
	}

	@Test
	void whenAStreamEventHasUsageAndNoChoicesThenItIsAUsageOnlyChunk() {
		byte[] event = bytes("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[ ],"
				+ "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7,\"total_tokens\":12}}");
		int usage = UsageScanner.usageObject(event, 0, event.length);
		assertThat(UsageScanner.noChoices(event, 0, usage)).isTrue();
		assertThat(UsageScanner.completionTokens(event, usage, event.length)).isEqualTo(7);
	}

	@Test
	void whenThereIsNoUsageThenNothingIsFound() {
		byte[] event = bytes("{\"choices\":[{\"delta\":{\"content\":\"usage\"}}]}");
		assertThat(UsageScanner.usageObject(event, 0, event.length)).isEqualTo(-1);
		byte[] text = bytes("Internal Server Error");
		assertThat(UsageScanner.usageObject(text, 0, text.length)).isEqualTo(-1);
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
