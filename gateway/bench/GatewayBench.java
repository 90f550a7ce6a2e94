import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The gateway's overhead, side by side with the worker it fronts, in one run.
 * <p>
 * Starts a fast fake worker in this process (OpenAI-shaped answers and SSE streams,
 * instantly) and the real gateway as its own process (embedded PostgreSQL, API-key
 * authentication with a real key, the tenant bulkhead, routing, circuit breakers,
 * metrics: everything production runs), then measures, streaming and not:
 * <ul>
 * <li>added latency at concurrency 1: p50 and p99 through the gateway minus the same
 * percentiles straight to the worker, requests interleaved so both see the same
 * machine;</li>
 * <li>throughput at concurrency 32, through the gateway and straight to the worker.</li>
 * </ul>
 * {@code --soak-minutes M} then keeps the gateway under load and samples its RSS.
 * <p>
 * Run it with {@code bin/quiver bench gateway} (or {@code bin/quiver-bench-gateway}).
 */
public class GatewayBench {

	static final String CHAT = "{\"model\":\"bench-base\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}]}";

	static final String CHAT_STREAM = "{\"model\":\"bench-base\",\"stream\":true,\"messages\":[{\"role\":\"user\","
			+ "\"content\":\"Say hi\"}]}";

	static final byte[] ANSWER = ("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,"
			+ "\"model\":\"bench-base\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
			+ "\"content\":\"Hi there!\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":9,"
			+ "\"completion_tokens\":3,\"total_tokens\":12}}")
		.getBytes(StandardCharsets.UTF_8);

	static final byte[][] STREAM = { chunk("Hi"), chunk(" there"), chunk("!"),
			("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,"
					+ "\"completion_tokens\":3,\"total_tokens\":12}}\n\ndata: [DONE]\n\n")
				.getBytes(StandardCharsets.UTF_8) };

	static final AtomicLong requests = new AtomicLong();

	static final String USAGE = """
			usage: bin/quiver bench gateway [--requests N] [--seconds S] [--soak-minutes M] [--warmup-seconds S]
			  --requests N         requests per latency measurement, each way (default 5000)
			  --seconds S          seconds of each throughput measurement (default 8)
			  --soak-minutes M     minutes of load afterwards, sampling the gateway's RSS (default 0: no soak)
			  --warmup-seconds S   seconds of load before measuring (default 15)
			  --jar FILE           the gateway's executable jar (the script passes the one it built)""";

	static void usageError(String message) {
		System.err.println("bench gateway: " + message);
		System.err.println(USAGE);
		System.exit(2);
	}

	static int number(String option, String value, int least) {
		try {
			int n = Integer.parseInt(value);
			if (n >= least) {
				return n;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		usageError(option + " needs a whole number of at least " + least + ", not '" + value + "'");
		return least;
	}

	public static void main(String[] args) throws Exception {
		Path jar = null;
		int latencyRequests = 5000;
		int throughputSeconds = 8;
		int soakMinutes = 0;
		int warmupSeconds = 15;
		for (int i = 0; i < args.length; i++) {
			if (args[i].equals("--help") || args[i].equals("-h")) {
				System.out.println(USAGE);
				return;
			}
			if (!List.of("--jar", "--requests", "--seconds", "--soak-minutes", "--warmup-seconds").contains(args[i])) {
				usageError("unknown option " + args[i]);
			}
			if (i + 1 >= args.length) {
				usageError("missing a value after " + args[i]);
			}
			String value = args[++i];
			switch (args[i - 1]) {
				case "--jar" -> jar = Path.of(value);
				case "--requests" -> latencyRequests = number(args[i - 1], value, 1);
				case "--seconds" -> throughputSeconds = number(args[i - 1], value, 1);
				case "--soak-minutes" -> soakMinutes = number(args[i - 1], value, 0);
				case "--warmup-seconds" -> warmupSeconds = number(args[i - 1], value, 0);
				default -> throw new IllegalStateException("unreachable: " + args[i - 1]);
			}
		}
		// Without TCP_NODELAY the fake worker's small SSE chunks wait on Nagle and delayed
		// ACKs (40 ms), which would measure the kernel, not the gateway.
		System.setProperty("sun.net.httpserver.nodelay", "true");
		HttpServer worker = fakeWorker();
		String workerUrl = "http://127.0.0.1:" + worker.getAddress().getPort();
		Path home = Files.createTempDirectory("quiver-bench");
		int gatewayPort = freePort();
		Process gateway = startGateway(jar, home, gatewayPort, workerUrl);
		Runtime.getRuntime().addShutdownHook(new Thread(gateway::destroy));
		try {
			String gatewayUrl = "http://127.0.0.1:" + gatewayPort;
			String key = awaitGateway(gateway, gatewayUrl, home);
			HttpClient client = HttpClient.newBuilder()
				.version(HttpClient.Version.HTTP_1_1)
				.executor(Executors.newVirtualThreadPerTaskExecutor())
				.build();
			Target direct = new Target("worker", workerUrl, null);
			Target viaGateway = new Target("gateway", gatewayUrl, key);
			System.out.printf("Gateway benchmark: fake worker %s, gateway pid %d on %s, %d CPUs%n", workerUrl,
					gateway.pid(), gatewayUrl, Runtime.getRuntime().availableProcessors());
			System.out.printf("Warming up (JIT) for %d s ...%n", 2 * warmupSeconds);
			for (boolean stream : new boolean[] { false, true }) {
				throughput(client, direct, stream, 32, 2);
				throughput(client, viaGateway, stream, 32, warmupSeconds - 2);
				latency(client, direct, viaGateway, stream, 1000);
			}
			List<String> verdicts = new ArrayList<>();
			for (boolean stream : new boolean[] { false, true }) {
				String mode = stream ? "streaming" : "non-streaming";
				double[][] samples = latency(client, direct, viaGateway, stream, latencyRequests);
				double directP50 = percentile(samples[0], 50);
				double directP99 = percentile(samples[0], 99);
				double gatewayP50 = percentile(samples[1], 50);
				double gatewayP99 = percentile(samples[1], 99);
				double addedP50 = gatewayP50 - directP50;
				double addedP99 = gatewayP99 - directP99;
				System.out.printf("%n[%s] latency at concurrency 1, %d requests each (ms):%n", mode, latencyRequests);
				System.out.printf("  direct   p50 %.3f  p99 %.3f%n", directP50, directP99);
				System.out.printf("  gateway  p50 %.3f  p99 %.3f%n", gatewayP50, gatewayP99);
				System.out.printf("  added    p50 %.3f  p99 %.3f   (targets: p50 <= 0.5, p99 <= 2)%n", addedP50,
						addedP99);
				double directRps = throughput(client, direct, stream, 32, throughputSeconds);
				long cpuBefore = cpuNanos(gateway.pid());
				Map<String, Long> jitBefore = jitNanos(gateway.pid());
				long gatewayRequests = requests.get();
				double gatewayRps = throughput(client, viaGateway, stream, 32, throughputSeconds);
				long served = Math.max(1, requests.get() - gatewayRequests);
				double cpuPerRequest = (cpuNanos(gateway.pid()) - cpuBefore) / 1e3 / served;
				double jitPerRequest = since(jitBefore, jitNanos(gateway.pid())) / 1e3 / served;
				System.out.printf("[%s] throughput at concurrency 32, %d s each (req/s):%n", mode, throughputSeconds);
				System.out.printf("  direct %.0f   gateway %.0f   = %.0f%% of direct   (target >= 50%%)%n", directRps,
						gatewayRps, 100 * gatewayRps / directRps);
				// CPU the gateway process spent per request: it depends far less than latency and
				// throughput on what else the machine is running, except for the JIT's share.
				System.out.printf("  gateway CPU per request %.0f us (user + system, all its threads)%n",
						cpuPerRequest);
				// The JIT compiler still at work: how much depends on how long the gateway has run
				// and how much CPU its neighbours left it.
				System.out.printf("    of which JIT compiler threads %.0f us%n", jitPerRequest);
				verdicts.add(String.format("%s: added p50 %.3f ms %s, p99 %.3f ms %s, throughput %.0f%% %s", mode,
						addedP50, ok(addedP50 <= 0.5), addedP99, ok(addedP99 <= 2), 100 * gatewayRps / directRps,
						ok(gatewayRps >= directRps / 2)));
			}
			System.out.println();
			verdicts.forEach(System.out::println);
			if (soakMinutes > 0) {
				soak(client, viaGateway, gateway.pid(), soakMinutes);
			}
		}
		finally {
			gateway.destroy();
			gateway.waitFor();
			worker.stop(0);
		}
	}

	private static String ok(boolean met) {
		return met ? "(met)" : "(MISSED)";
	}

	/** Requests alternate between the two targets so both see the same noise. */
	private static double[][] latency(HttpClient client, Target direct, Target gateway, boolean stream, int n)
			throws Exception {
		double[] directMs = new double[n];
		double[] gatewayMs = new double[n];
		for (int i = 0; i < n; i++) {
			directMs[i] = timed(client, direct, stream);
			gatewayMs[i] = timed(client, gateway, stream);
		}
		return new double[][] { directMs, gatewayMs };
	}

	private static double timed(HttpClient client, Target target, boolean stream) throws Exception {
		long start = System.nanoTime();
		call(client, target, stream);
		return (System.nanoTime() - start) / 1e6;
	}

	private static double throughput(HttpClient client, Target target, boolean stream, int concurrency, int seconds)
			throws Exception {
		AtomicLong done = new AtomicLong();
		AtomicLong failed = new AtomicLong();
		long end = System.nanoTime() + seconds * 1_000_000_000L;
		List<Thread> threads = new ArrayList<>();
		long start = System.nanoTime();
		for (int t = 0; t < concurrency; t++) {
			threads.add(Thread.ofVirtual().start(() -> {
				while (System.nanoTime() < end) {
					try {
						call(client, target, stream);
						done.incrementAndGet();
						requests.incrementAndGet();
					}
					catch (Exception ex) {
						failed.incrementAndGet();
					}
				}
			}));
		}
		for (Thread thread : threads) {
			thread.join();
		}
		if (failed.get() > 0) {
			System.out.printf("  (%s: %d failed requests)%n", target.name(), failed.get());
		}
		return done.get() / ((System.nanoTime() - start) / 1e9);
	}

	private static void call(HttpClient client, Target target, boolean stream) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target.url() + "/v1/chat/completions"))
			.timeout(Duration.ofSeconds(30))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(stream ? CHAT_STREAM : CHAT));
		if (target.key() != null) {
			request.header("Authorization", "Bearer " + target.key());
		}
		HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
		if (response.statusCode() != 200) {
			throw new IOException(target.name() + " answered " + response.statusCode() + ": "
					+ new String(response.body(), StandardCharsets.UTF_8));
		}
	}

	private static void soak(HttpClient client, Target gateway, long pid, int minutes) throws Exception {
		System.out.printf("%nSoak: %d min at concurrency 8 through the gateway, RSS sampled every 10 s%n", minutes);
		long end = System.nanoTime() + minutes * 60_000_000_000L;
		AtomicLong done = new AtomicLong();
		List<Thread> threads = new ArrayList<>();
		for (int t = 0; t < 8; t++) {
			boolean stream = t % 2 == 1;
			threads.add(Thread.ofVirtual().start(() -> {
				while (System.nanoTime() < end) {
					try {
						call(client, gateway, stream);
						done.incrementAndGet();
					}
					catch (Exception ex) {
						// Counted by what is missing from done.
					}
				}
			}));
		}
		List<Long> samples = new ArrayList<>();
		while (System.nanoTime() < end) {
			Thread.sleep(10_000);
			long rss = rssKb(pid);
			samples.add(rss);
			System.out.printf("  t=%3d s  RSS %d MB  requests %d%n", samples.size() * 10, rss / 1024, done.get());
		}
		for (Thread thread : threads) {
			thread.join();
		}
		// The first minute is warm-up (JIT, pools, heap growth); steadiness is judged after.
		List<Long> steady = samples.subList(Math.min(6, samples.size() - 1), samples.size());
		double mean = steady.stream().mapToLong(Long::longValue).average().orElse(0);
		long min = steady.stream().mapToLong(Long::longValue).min().orElse(0);
		long max = steady.stream().mapToLong(Long::longValue).max().orElse(0);
		System.out.printf("Soak: %d requests; RSS after the first minute: mean %.0f MB, min %d MB (%.1f%%), max %d MB "
				+ "(+%.1f%%)   (target: within +-10%%)%n", done.get(), mean / 1024, min / 1024,
				100 * (min - mean) / mean, max / 1024, 100 * (max - mean) / mean);
	}

	private static long cpuNanos(long pid) throws IOException {
		String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
		String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		// utime and stime, fields 14 and 15 of /proc/pid/stat, in clock ticks (100 Hz).
		long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
		return ticks * 10_000_000L;
	}

	/** CPU time of the JVM's compiler threads, by thread id. */
	private static Map<String, Long> jitNanos(long pid) throws IOException {
		Map<String, Long> threads = new HashMap<>();
		try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
			for (Path task : tasks) {
				String stat;
				try {
					stat = Files.readString(task.resolve("stat"));
				}
				catch (IOException ex) {
					continue; // The thread ended meanwhile.
				}
				String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
				if (name.contains("CompilerThre")) {
					String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
					threads.put(task.getFileName().toString(),
							(Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L);
				}
			}
		}
		return threads;
	}

	/** What the threads seen now spent since before (compiler threads come and go). */
	private static long since(Map<String, Long> before, Map<String, Long> now) {
		long nanos = 0;
		for (Map.Entry<String, Long> thread : now.entrySet()) {
			nanos += thread.getValue() - before.getOrDefault(thread.getKey(), 0L);
		}
		return nanos;
	}

	private static long rssKb(long pid) throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
			if (line.startsWith("VmRSS:")) {
				return Long.parseLong(line.replaceAll("[^0-9]", ""));
			}
		}
		return -1;
	}

	private static Process startGateway(Path jar, Path home, int port, String workerUrl) throws IOException {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		List<String> command = new ArrayList<>(List.of(java, "-Xms256m", "-Xmx512m", "-XX:+UseG1GC",
				"--enable-native-access=ALL-UNNAMED"));
		String extra = System.getenv("QUIVER_BENCH_GATEWAY_OPTS");
		if (extra != null && !extra.isBlank()) {
			command.addAll(List.of(extra.trim().split("\\s+")));
		}
		command.addAll(List.of("-jar", jar.toString(), "--server.port=" + port,
				"--quiver.home=" + home, "--quiver.routing.workers=" + workerUrl,
				"--quiver.routing.refresh-interval=1s", "--logging.level.root=WARN",
				"--logging.level.io.quiver=INFO"));
		return new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(home.resolve("gateway.log").toFile())
			.start();
	}

	private static String awaitGateway(Process gateway, String url, Path home) throws Exception {
		HttpClient client = HttpClient.newHttpClient();
		Path keyFile = home.resolve("bootstrap-api-key");
		long deadline = System.nanoTime() + 180_000_000_000L;
		while (System.nanoTime() < deadline) {
			if (!gateway.isAlive()) {
				throw new IllegalStateException("the gateway exited; see " + home.resolve("gateway.log"));
			}
			if (Files.exists(keyFile)) {
				String key = Files.readString(keyFile).trim();
				try {
					HttpResponse<String> models = client.send(HttpRequest.newBuilder(URI.create(url + "/v1/models"))
						.header("Authorization", "Bearer " + key)
						.build(), HttpResponse.BodyHandlers.ofString());
					if (models.statusCode() == 200 && models.body().contains("bench-base")) {
						return key;
					}
				}
				catch (IOException ex) {
					// Not listening yet.
				}
			}
			Thread.sleep(250);
		}
		throw new IllegalStateException("the gateway did not become ready; see " + home.resolve("gateway.log"));
	}

	private static HttpServer fakeWorker() throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
		server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
		server.createContext("/", GatewayBench::answer);
		server.start();
		return server;
	}

	private static void answer(HttpExchange exchange) throws IOException {
		try (exchange) {
			String path = exchange.getRequestURI().getPath();
			byte[] body;
			try (InputStream in = exchange.getRequestBody()) {
				body = in.readAllBytes();
			}
			switch (path) {
				case "/status" -> send(exchange, "application/json",
						("{\"base_model\":\"bench-base\",\"queue_depth\":0,\"running_sequences\":0,"
								+ "\"kv_cache_usage\":0.0,\"adapters\":[],\"draining\":false}")
							.getBytes(StandardCharsets.UTF_8));
				case "/v1/models" -> send(exchange, "application/json",
						"{\"object\":\"list\",\"data\":[{\"id\":\"bench-base\",\"object\":\"model\"}]}"
							.getBytes(StandardCharsets.UTF_8));
				default -> {
					if (indexOf(body, "\"stream\":true".getBytes(StandardCharsets.UTF_8)) >= 0) {
						exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
						exchange.sendResponseHeaders(200, 0);
						OutputStream out = exchange.getResponseBody();
						for (byte[] chunk : STREAM) {
							out.write(chunk);
							out.flush();
						}
					}
					else {
						send(exchange, "application/json", ANSWER);
					}
				}
			}
		}
	}

	private static void send(HttpExchange exchange, String contentType, byte[] body) throws IOException {
		exchange.getResponseHeaders().add("Content-Type", contentType);
		exchange.sendResponseHeaders(200, body.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(body);
		}
	}

	private static byte[] chunk(String text) {
		return ("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
				+ "{\"content\":\"" + text + "\"},\"finish_reason\":null}]}\n\n")
			.getBytes(StandardCharsets.UTF_8);
	}

	private static int indexOf(byte[] haystack, byte[] needle) {
		outer: for (int i = 0; i + needle.length <= haystack.length; i++) {
			for (int j = 0; j < needle.length; j++) {
				if (haystack[i + j] != needle[j]) {
					continue outer;
				}
			}
			return i;
		}
		return -1;
	}

	private static double percentile(double[] samples, double p) {
		double[] sorted = samples.clone();
		Arrays.sort(sorted);
		int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
		return sorted[Math.clamp(index, 0, sorted.length - 1)];
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private record Target(String name, String url, String key) {
	}

}
