package io.quiver.gateway.openai;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.quiver.gateway.routing.TestGatewayWithWorkers;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 10,000 malformed or hostile {@code /v1} requests (bad JSON, wrong types, huge values,
 * oversized bodies, invalid UTF-8, header abuse), generated from a fixed seed: none may
 * get a 5xx, and every 4xx must be the OpenAI error envelope.
 */
class OpenAiFuzzTests extends TestGatewayWithWorkers {

	private static final int REQUESTS = 10_000;

	private static final String[] VALID = {
			"{\"model\":\"base-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
			"{\"model\":\"base-model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
			"{\"model\":\"base-model\",\"prompt\":\"hi\",\"max_tokens\":4}" };

	private static final String[] HOSTILE_VALUES = { "null", "true", "-1", "1e400", "-1e400", "9223372036854775808",
			"NaN", "\"\"", "[]", "{}", "[[[[[[]]]]]]", "\"\\u0000\"", "\"\\ud800\"", "0.0000000000000000000001",
			"\"" + "x".repeat(5000) + "\"", "{\"$ref\":\"#\"}", "[" + "1,".repeat(2000) + "1]" };

	private static final String[] FIELDS = { "model", "messages", "prompt", "stream", "max_tokens", "temperature", "n",
			"stop", "logprobs", "top_logprobs", "stream_options", "tools", "user", "seed" };

	private final JsonMapper json = JsonMapper.builder().build();

	@Test
	void whenTenThousandHostileRequestsThenNo5xxAndOnlyOpenAiShaped4xx() throws Exception {
		Map<String, AtomicInteger> statuses = new ConcurrentHashMap<>();
		List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
		AtomicInteger next = new AtomicInteger();
		long start = System.nanoTime();
		List<Thread> clients = new ArrayList<>();
		for (int c = 0; c < 4; c++) {
			clients.add(Thread.ofVirtual().start(() -> {
				int i;
				while ((i = next.getAndIncrement()) < REQUESTS) {
					Random random = new Random(i);
					Answer answer;
					try {
						answer = (i % 50 == 49) ? raw(random) : viaClient(random, i);
					}
					catch (Exception ex) {
						violations.add("#" + i + " failed to complete: " + ex);
						continue;
					}
					statuses.computeIfAbsent(Integer.toString(answer.status()), (k) -> new AtomicInteger())
						.incrementAndGet();
					String problem = problem(answer);
					if (problem != null && violations.size() < 20) {
						violations.add("#" + i + " " + answer.label() + ": " + problem);
					}
				}
			}));
		}
		for (Thread client : clients) {
			client.join();
		}
		System.out.printf("Fuzz: %d requests in %d ms, statuses %s%n", REQUESTS,
				(System.nanoTime() - start) / 1_000_000, new java.util.TreeMap<>(statuses));
		assertThat(violations).isEmpty();
	}

	private String problem(Answer answer) {
		int status = answer.status();
		if (status >= 500) {
			return "status " + status + " " + answer.body();
		}
		if (status < 400) {
			return null;
		}
		try {
			JsonNode error = this.json.readTree(answer.body()).path("error");
			if (!error.path("message").isString() || !error.path("type").isString() || !error.has("code")
					|| !error.has("param")) {
				return "not an envelope: " + answer.body();
			}
		}
		catch (RuntimeException ex) {
			return "status " + status + " not JSON: " + answer.body();
		}
		return null;
	}

	private Answer viaClient(Random random, int i) throws Exception {
		String path = random.nextBoolean() ? "/v1/chat/completions" : "/v1/completions";
		byte[] body;
		String label;
		String contentType = "application/json";
		switch (i % 10) {
			case 0 -> {
				String valid = VALID[random.nextInt(VALID.length)];
				body = valid.substring(0, random.nextInt(valid.length())).getBytes(StandardCharsets.UTF_8);
				label = "truncated JSON";
			}
			case 1 -> {
				body = new byte[1 + random.nextInt(200)];
				random.nextBytes(body);
				label = "random bytes";
			}
			case 2, 3 -> {
				StringBuilder object = new StringBuilder("{");
				int fields = 1 + random.nextInt(5);
				for (int f = 0; f < fields; f++) {
					object.append(f == 0 ? "" : ",")
						.append('"')
						.append(FIELDS[random.nextInt(FIELDS.length)])
						.append("\":")
						.append(HOSTILE_VALUES[random.nextInt(HOSTILE_VALUES.length)]);
				}
				body = object.append('}').toString().getBytes(StandardCharsets.UTF_8);
				label = "wrong types";
			}
			case 4 -> {
				String valid = VALID[random.nextInt(VALID.length)];
				String field = FIELDS[random.nextInt(FIELDS.length)];
				body = ("{\"" + field + "\":" + HOSTILE_VALUES[random.nextInt(HOSTILE_VALUES.length)] + ","
						+ valid.substring(1))
					.getBytes(StandardCharsets.UTF_8);
				label = "valid with a hostile field";
			}
			case 5 -> {
				int depth = 100 + random.nextInt(5000);
				body = ("{\"model\":\"base-model\",\"messages\":" + "[".repeat(depth) + "]".repeat(depth) + "}")
					.getBytes(StandardCharsets.UTF_8);
				label = "deep nesting";
			}
			case 6 -> {
				byte[] prefix = "{\"model\":\"base-model\",\"messages\":[{\"role\":\"user\",\"content\":\""
					.getBytes(StandardCharsets.UTF_8);
				byte[] bad = { (byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE, (byte) 0xED, (byte) 0xA0,
						(byte) 0x80 };
				ByteArrayOutputStream out = new ByteArrayOutputStream();
				out.write(prefix);
				out.write(bad, random.nextInt(3), 2 + random.nextInt(4));
				out.write("\"}]}".getBytes(StandardCharsets.UTF_8));
				body = out.toByteArray();
				label = "invalid UTF-8";
			}
			case 7 -> {
				body = ("{\"model\":\"" + "m".repeat(random.nextInt(600)) + "\",\"prompt\":\"x\"}")
					.getBytes(StandardCharsets.UTF_8);
				label = "unknown or long model";
			}
			case 8 -> {
				body = VALID[0].getBytes(StandardCharsets.UTF_8);
				contentType = switch (random.nextInt(4)) {
					case 0 -> "text/plain";
					case 1 -> "application/x-www-form-urlencoded";
					case 2 -> "multipart/form-data; boundary=x";
					default -> "application/xml";
				};
				label = "wrong content type";
			}
			default -> {
				if (i % 200 == 9) {
					body = ("{\"model\":\"base-model\",\"prompt\":\"" + "a".repeat(2 * 1024 * 1024 + 10) + "\"}")
						.getBytes(StandardCharsets.UTF_8);
					label = "oversized body";
				}
				else {
					body = VALID[random.nextInt(VALID.length)].getBytes(StandardCharsets.UTF_8);
					label = "header abuse";
				}
			}
		}
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
			.timeout(Duration.ofSeconds(20))
			.header("Content-Type", contentType)
			.POST(HttpRequest.BodyPublishers.ofByteArray(body));
		if ("header abuse".equals(label)) {
			switch (random.nextInt(6)) {
				case 0 -> request.header("Authorization", "Bearer " + "A".repeat(random.nextInt(6000)));
				case 1 -> request.header("Authorization", "Bearer " + this.caller.secret())
					.header("Authorization", "Bearer qvr_other");
				case 2 -> request.header("Authorization", "Bearer " + this.caller.secret())
					.header("x-request-id", "../../etc/passwd\t" + "z".repeat(random.nextInt(300)));
				case 3 -> request.header("Authorization", "Bearer " + this.caller.secret())
					.header("traceparent", "00-" + "g".repeat(32) + "-zz-01");
				case 4 -> request.header("Authorization", "bearer\t" + this.caller.secret());
				default -> {
					request.header("Authorization", "Bearer " + this.caller.secret());
					for (int h = 0; h < 50; h++) {
						request.header("x-junk-" + h, "v".repeat(50));
					}
				}
			}
		}
		else {
			request.header("Authorization", "Bearer " + this.caller.secret());
		}
		HttpResponse<String> response = this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
		return new Answer(label, response.statusCode(), response.body());
	}

	/**
	 * Requests the JDK client refuses to send: malformed framing and header bytes, on a
	 * raw socket.
	 */
	private Answer raw(Random random) throws Exception {
		String auth = "Authorization: Bearer " + this.caller.secret() + "\r\n";
		String body = VALID[0];
		String request = switch (random.nextInt(5)) {
			case 0 -> "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n" + auth
					+ "Content-Type: application/json\r\nContent-Length: 5\r\nConnection: close\r\n\r\n" + body;
			case 1 -> "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n" + auth
					+ "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
					+ Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
			case 2 -> "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n" + auth
					+ "Content-Type: application/json\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
					+ "\r\nConnection: close\r\n\r\n" + body;
			case 3 -> "POST /v1/completions?model=../../x HTTP/1.1\r\nHost: x\r\n" + auth
					+ "Content-Type: application/json; charset=latin1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
			default -> "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n" + auth
					+ "Content-Type: application/json\r\nX-Weird: \u00ff\u00fe\r\nContent-Length: " + body.length()
					+ "\r\nConnection: close\r\n\r\n" + body;
		};
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			InputStream in = socket.getInputStream();
			String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
			int status = Integer.parseInt(answer.substring(9, 12));
			int split = answer.indexOf("\r\n\r\n");
			String payload = answer.substring(split + 4);
			if (answer.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
				payload = payload.substring(payload.indexOf("\r\n") + 2);
				payload = payload.substring(0, Math.max(0, payload.lastIndexOf("\r\n0\r\n")));
			}
			return new Answer("raw", status, payload);
		}
	}

	private record Answer(String label, int status, String body) {
	}

}
