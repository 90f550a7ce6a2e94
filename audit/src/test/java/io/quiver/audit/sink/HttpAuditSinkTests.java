package io.quiver.audit.sink;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import io.quiver.audit.AuditEvent;
import io.quiver.audit.AuditRecord;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HttpAuditSinkTests {

	@Test
	void whenCollectorFailsTwiceThenTheBatchIsDeliveredOnTheThirdAttempt() throws Exception {
		AtomicInteger calls = new AtomicInteger();
		List<String> bodies = new CopyOnWriteArrayList<>();
		List<String> tokens = new CopyOnWriteArrayList<>();
		HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		server.createContext("/ingest", (exchange) -> {
			String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
			tokens.add(exchange.getRequestHeaders().getFirst("Authorization"));
			int status = (calls.incrementAndGet() <= 2) ? 503 : 200;
			if (status == 200) {
				bodies.add(body);
			}
			exchange.sendResponseHeaders(status, -1);
			exchange.close();
		});
		server.start();
		try (HttpAuditSink sink = new HttpAuditSink(
				URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/ingest"),
				Map.of("Authorization", "Splunk token"), 5, Duration.ofMillis(20), 10)) {
			AuditEvent event = AuditEvent.builder("acme", "auth.failed").reason("invalid_key").build();
			sink.publish(List.of(new AuditRecord(1, Instant.now(), "00".repeat(32), "11".repeat(32), event)));
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (sink.delivered() == 0 && System.nanoTime() < deadline) {
				Thread.sleep(10);
			}
			assertThat(sink.delivered()).isEqualTo(1);
			assertThat(calls.get()).isEqualTo(3);
			assertThat(tokens).containsOnly("Splunk token");
			assertThat(bodies.getFirst()).contains("\"action\":\"auth.failed\"")
				.contains("\"sequence\":1")
				.contains("\"hash\":\"" + "11".repeat(32) + "\"")
				.endsWith("\n");
		}
		finally {
			server.stop(0);
		}
	}

}
