package io.quiver.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The module as the gateway gets it, with a SIEM collector configured: a recorded event
 * reaches the collector after it commits.
 */
@SpringBootTest
class AuditConfigurationTests {

	private static final List<String> received = new CopyOnWriteArrayList<>();

	private static final HttpServer collector = collector();

	@Autowired
	AuditTrail trail;

	@DynamicPropertySource
	static void siem(DynamicPropertyRegistry registry) {
		registry.add("quiver.audit.siem.url",
				() -> "http://127.0.0.1:" + collector.getAddress().getPort() + "/collect");
		registry.add("quiver.audit.siem.headers.Authorization", () -> "Bearer collector-token");
	}

	@AfterAll
	static void stopCollector() {
		collector.stop(0);
	}

	@Test
	void whenSiemUrlIsConfiguredThenRecordedEventsAreForwardedToIt() throws InterruptedException {
		String tenant = TestAudit.tenant("siem");
		this.trail.record(AuditEvent.builder(tenant, "member.added").resource("member", "m-7").build());
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (received.stream().noneMatch((body) -> body.contains(tenant)) && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		assertThat(received).anyMatch((body) -> body.contains("\"tenant\":\"" + tenant + "\"")
				&& body.contains("\"action\":\"member.added\"") && body.contains("\"hash\":"));
	}

	private static HttpServer collector() {
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			server.createContext("/collect", (exchange) -> {
				if ("Bearer collector-token".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
					received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
				}
				exchange.sendResponseHeaders(204, -1);
				exchange.close();
			});
			server.start();
			return server;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
