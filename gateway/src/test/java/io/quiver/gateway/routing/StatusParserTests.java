package io.quiver.gateway.routing;

import java.nio.charset.StandardCharsets;

import io.quiver.gateway.routing.WorkerStatus.AdapterTier;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * A worker's {@code /status}, read tolerantly: both naming styles, adapters as a list or
 * a map, unknown fields ignored.
 */
class StatusParserTests {

	private final StatusParser parser = new StatusParser(JsonMapper.builder().build());

	@Test
	void whenSnakeCaseStatusThenEveryFieldIsRead() {
		WorkerStatus status = parse("""
				{"base_model":"qwen2-0.5b","queue_depth":3,"running_sequences":5,"kv_cache_usage":0.25,
				 "adapters":[{"id":"acme/bot@v1","tier":"device"},{"id":"acme/faq@v2","tier":"host"},
				             {"id":"acme/new@v1","tier":"loading"}],
				 "capacity":{"max_running":16,"max_adapters_device":8},"draining":false,"uptime_s":12}""");
		assertThat(status.baseModels()).containsExactly("qwen2-0.5b");
		assertThat(status.queueDepth()).isEqualTo(3);
		assertThat(status.running()).isEqualTo(5);
		assertThat(status.kvCacheUsage()).isEqualTo(0.25);
		assertThat(status.maxRunning()).isEqualTo(16);
		assertThat(status.holds("acme/bot@v1")).isTrue();
		assertThat(status.holds("acme/faq@v2")).isTrue();
		assertThat(status.holds("acme/new@v1")).isFalse();
		assertThat(status.loading("acme/new@v1")).isTrue();
		assertThat(status.draining()).isFalse();
	}

	@Test
	void whenCamelCaseStatusWithAdapterMapThenItIsReadToo() {
		WorkerStatus status = parse("""
				{"baseModel":{"id":"llama-3.2-1b"},"queueDepth":1,"runningSequences":2,
				 "kvCache":{"usedBlocks":30,"totalBlocks":120},"adapters":{"a/b@v1":"DEVICE","a/c@v1":"host"},
				 "draining":true}""");
		assertThat(status.baseModels()).containsExactly("llama-3.2-1b");
		assertThat(status.kvCacheUsage()).isEqualTo(0.25);
		assertThat(status.adapters()).containsEntry("a/c@v1", AdapterTier.HOST);
		assertThat(status.draining()).isTrue();
	}

	@Test
	void whenFieldsAreMissingThenTheyReadAsZero() {
		WorkerStatus status = parse("{\"model\":\"m\"}");
		assertThat(status.queueDepth()).isZero();
		assertThat(status.kvCacheUsage()).isZero();
		assertThat(status.adapters()).isEmpty();
	}

	@Test
	void whenNoBaseModelOrNotAnObjectThenRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> parse("{\"queue_depth\":1}"));
		assertThatIllegalArgumentException().isThrownBy(() -> parse("[1]"));
	}

	@Test
	void whenTraceparentIsValidThenTheTraceIsKeptWithANewParent() {
		String incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
		String child = TraceContext.child(incoming);
		assertThat(TraceContext.valid(child)).isTrue();
		assertThat(child).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-").endsWith("-01");
		assertThat(child).doesNotContain("00f067aa0ba902b7");
		String fresh = TraceContext.child("00-zz-broken");
		assertThat(TraceContext.valid(fresh)).isTrue();
		assertThat(fresh).endsWith("-01");
	}

	private WorkerStatus parse(String json) {
		return this.parser.quiverStatus(json.getBytes(StandardCharsets.UTF_8));
	}

}
