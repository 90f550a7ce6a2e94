package io.quiver.gateway.openai;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import io.quiver.gateway.TestCallers;
import io.quiver.gateway.TestWorkers;
import io.quiver.gateway.TestWorkers.RunningWorker;
import io.quiver.tenancy.apikey.ApiKeySecret;
import io.quiver.tenancy.apikey.ApiKeyService;
import io.quiver.tenancy.tenant.TenantService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The whole path, as an app developer sees it: the official OpenAI Java SDK calls the
 * gateway, which authenticates the key and forwards to a real worker process running the
 * DJL engine on a generated model.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OpenAiSdkEndToEndTests {

	private static final RunningWorker worker = TestWorkers.shared();

	@LocalServerPort
	private int port;

	@Autowired
	private TenantService tenants;

	@Autowired
	private ApiKeyService keys;

	private OpenAIClient client;

	@DynamicPropertySource
	static void workers(DynamicPropertyRegistry registry) {
		registry.add("quiver.routing.workers", worker::url);
	}

	@BeforeEach
	void setUp() {
		String secret = TestCallers.tenantWithKey(this.tenants, this.keys, "inference").secret();
		this.client = client(secret);
	}

	@Test
	void whenModelsAreListedThenTheBaseModelIsThere() {
		List<String> ids = this.client.models().list().autoPager().stream().map(Model::id).toList();
		assertThat(ids).contains(worker.baseModel());
	}

	@Test
	void whenChattingThenStreamedAndWholeGreedyAnswersAgree() {
		ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
			.model(ChatModel.of(worker.baseModel()))
			.addUserMessage("Say something about quivers.")
			.maxCompletionTokens(12)
			.temperature(0.0)
			.build();

		ChatCompletion whole = this.client.chat().completions().create(params);
		String wholeText = whole.choices().get(0).message().content().orElse("");
		assertThat(whole.model()).isEqualTo(worker.baseModel());
		assertThat(whole.usage()).hasValueSatisfying((usage) -> {
			assertThat(usage.promptTokens()).isPositive();
			assertThat(usage.completionTokens()).isBetween(1L, 12L);
		});

		String streamedText;
		try (StreamResponse<ChatCompletionChunk> stream = this.client.chat().completions().createStreaming(params)) {
			streamedText = stream.stream()
				.flatMap((chunk) -> chunk.choices().stream())
				.map((choice) -> choice.delta().content().orElse(""))
				.collect(Collectors.joining());
		}
		assertThat(streamedText).isEqualTo(wholeText);
	}

	@Test
	void whenCompletingThenStreamedAndWholeGreedyAnswersAgree() {
		CompletionCreateParams params = CompletionCreateParams.builder()
			.model(worker.baseModel())
			.prompt("The quiver held")
			.maxTokens(10)
			.temperature(0.0)
			.build();

		Completion whole = this.client.completions().create(params);
		String wholeText = whole.choices().get(0).text();
		assertThat(whole.usage().map((usage) -> usage.completionTokens()))
			.hasValueSatisfying((tokens) -> assertThat(tokens).isBetween(1L, 10L));

		String streamedText;
		try (StreamResponse<Completion> stream = this.client.completions().createStreaming(params)) {
			streamedText = stream.stream().map((chunk) -> chunk.choices().get(0).text()).collect(Collectors.joining());
		}
		assertThat(streamedText).isEqualTo(wholeText);
	}

	@Test
	void whenKeyIsWrongThenTheSdkSeesUnauthorized() {
		OpenAIClient stranger = client(ApiKeySecret.generate());
		assertThatExceptionOfType(UnauthorizedException.class).isThrownBy(() -> stranger.models().list());
	}

	@Test
	void whenModelIsUnknownThenTheSdkSeesNotFound() {
		ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
			.model(ChatModel.of("no-such-model"))
			.addUserMessage("hi")
			.build();
		assertThatExceptionOfType(NotFoundException.class)
			.isThrownBy(() -> this.client.chat().completions().create(params))
			.satisfies((ex) -> assertThat(Optional.ofNullable(ex.getMessage()).orElse("")).contains("no-such-model"));
	}

	private OpenAIClient client(String secret) {
		return OpenAIOkHttpClient.builder()
			.baseUrl("http://127.0.0.1:" + this.port + "/v1")
			.apiKey(secret)
			.maxRetries(0)
			.build();
	}

}
