package io.quiver.gateway;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Real inference workers for gateway tests: the worker's executable jar, started as its
 * own process on a generated tiny model with the demo adapters. The gateway shares no
 * code with the worker, so it is driven only over HTTP, exactly as in production.
 */
public final class TestWorkers {

	private static RunningWorker shared;

	private TestWorkers() {
	}

	/**
	 * @return one worker shared by every test in this JVM, started on first use and
	 * stopped at exit
	 */
	public static synchronized RunningWorker shared() {
		if (shared == null) {
			try {
				Path dir = Files.createTempDirectory("quiver-test-worker");
				Path model = dir.resolve("quiver-demo-tiny");
				generateDemoModel(model, dir.resolve("adapters"), "tiny");
				shared = start(model, dir.resolve("adapters"));
				Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "test-worker-stop"));
			}
			catch (IOException ex) {
				throw new IllegalStateException("Could not start a test worker", ex);
			}
		}
		return shared;
	}

	/**
	 * Generates a demo model and its adapters with the worker's own generator, run from
	 * the worker's jar.
	 * @param modelDir where the model goes
	 * @param adaptersDir where its adapters go
	 * @param shape {@code tiny}, {@code small} or {@code smollm2-135m}
	 * @throws IOException if generation fails
	 */
	public static void generateDemoModel(Path modelDir, Path adaptersDir, String shape) throws IOException {
		Process generator = new ProcessBuilder(java(), "-Dloader.main=io.quiver.worker.demo.DemoModel", "-cp",
				workerJar().toString(), "org.springframework.boot.loader.launch.PropertiesLauncher", "--out",
				modelDir.toString(), "--shape", shape, "--adapters", adaptersDir.toString())
			.redirectErrorStream(true)
			.start();
		String output = new String(generator.getInputStream().readAllBytes());
		try {
			if (generator.waitFor() != 0) {
				throw new IOException("The demo model generator failed:\n" + output);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException(ex);
		}
	}

	/**
	 * Starts a worker process and waits until it serves {@code /v1/models}.
	 * @param modelDir the model directory
	 * @param adaptersDir the adapters directory
	 * @return the running worker
	 * @throws IOException if it cannot start
	 */
	public static RunningWorker start(Path modelDir, Path adaptersDir) throws IOException {
		return start(modelDir, adaptersDir, Map.of());
	}

	/**
	 * Starts a worker process with more settings and waits until it serves
	 * {@code /v1/models}.
	 * @param modelDir the model directory
	 * @param adaptersDir the adapters directory
	 * @param environment variables added to the process's environment
	 * @param arguments more {@code --name=value} arguments
	 * @return the running worker
	 * @throws IOException if it cannot start
	 */
	public static RunningWorker start(Path modelDir, Path adaptersDir, Map<String, String> environment,
			String... arguments) throws IOException {
		Path jar = workerJar();
		int port = freePort();
		List<String> command = new ArrayList<>(
				List.of(java(), "--enable-native-access=ALL-UNNAMED", "--add-modules=jdk.incubator.vector", "-Xmx2g",
						"-jar", jar.toString(), "--quiver.worker.model-dir=" + modelDir,
						"--quiver.worker.adapters-dir=" + adaptersDir, "--server.port=" + port));
		command.addAll(List.of(arguments));
		Path log = modelDir.resolveSibling("worker-" + port + ".log");
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
		builder.environment().putAll(environment);
		Process process = builder.start();
		RunningWorker worker = new RunningWorker(process, port, modelDir.getFileName().toString(), adaptersDir, log);
		worker.awaitReady(Duration.ofSeconds(180));
		return worker;
	}

	/**
	 * @return the {@code java} command of the JDK this test runs on
	 */
	public static String java() {
		return ProcessHandle.current().info().command().orElse("java");
	}

	private static Path workerJar() throws IOException {
		Path target = Path.of("..", "inference-worker", "target").toAbsolutePath().normalize();
		try (Stream<Path> files = Files.list(target)) {
			return files.filter((file) -> file.getFileName().toString().endsWith("-exec.jar"))
				.findFirst()
				.orElseThrow(() -> new IOException("No worker jar in " + target + "; build inference-worker first"));
		}
	}

	/**
	 * @return a port on loopback that was free a moment ago
	 * @throws IOException if none could be reserved
	 */
	public static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	/**
	 * A worker process.
	 *
	 * @param process the process
	 * @param port its HTTP port on 127.0.0.1
	 * @param baseModel the id of the base model it serves
	 * @param adapters the folder of its demo adapters: real PEFT adapters made for its
	 * model, one sub-folder each ({@code demo-support}, {@code demo-legal},
	 * {@code demo-sql}) with {@code adapter_config.json} and
	 * {@code adapter_model.safetensors}
	 * @param log its output
	 */
	public record RunningWorker(Process process, int port, String baseModel, Path adapters,
			Path log) implements AutoCloseable {

		/**
		 * @return its base URL
		 */
		public String url() {
			return "http://127.0.0.1:" + this.port;
		}

		void awaitReady(Duration timeout) throws IOException {
			HttpClient http = HttpClient.newHttpClient();
			long deadline = System.nanoTime() + timeout.toNanos();
			while (System.nanoTime() < deadline) {
				if (!this.process.isAlive()) {
					throw new IOException("The worker exited; its output:\n" + Files.readString(this.log));
				}
				try {
					HttpResponse<Void> response = http.send(
							HttpRequest.newBuilder(URI.create(url() + "/v1/models")).build(),
							HttpResponse.BodyHandlers.discarding());
					if (response.statusCode() == 200) {
						return;
					}
				}
				catch (IOException ex) {
					// Not listening yet.
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new IOException(ex);
				}
				try {
					Thread.sleep(200);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new IOException(ex);
				}
			}
			close();
			throw new IOException(
					"The worker did not answer within " + timeout + "; its output:\n" + Files.readString(this.log));
		}

		@Override
		public void close() {
			this.process.destroy();
			try {
				if (!this.process.waitFor(Duration.ofSeconds(5))) {
					this.process.destroyForcibly();
				}
			}
			catch (InterruptedException ex) {
				this.process.destroyForcibly();
				Thread.currentThread().interrupt();
			}
		}

	}

}
