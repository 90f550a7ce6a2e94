package io.quiver.terraform.images;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.tools.ToolProvider;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The images' Dockerfiles, read without a Docker engine: non-root, health-checked, pinned
 * bases, jars that the build really produces, the CUDA natives in step with the pom; and
 * the probe they run, compiled and exercised.
 */
class DockerfilesTests {

	private static final Path REPOSITORY = Path.of(System.getProperty("quiver.docs.dir", "../docs"))
		.toAbsolutePath()
		.normalize()
		.getParent();

	@ParameterizedTest
	@ValueSource(strings = { "gateway.Dockerfile", "worker.Dockerfile", "worker-cuda.Dockerfile" })
	void whenADockerfileIsReadThenItRunsAsNonRootWithAHealthCheckOnPinnedBases(String name) throws IOException {
		String dockerfile = Files.readString(REPOSITORY.resolve("docker").resolve(name));
		assertThat(dockerfile).containsPattern("(?m)^USER 10001:10001$")
			.containsPattern("(?ms)^HEALTHCHECK .*?CMD \\[\"java\"")
			.contains("-Djava.io.tmpdir=/tmp")
			.doesNotContainPattern("(?m)^FROM \\S+:latest")
			.doesNotContainPattern("(?m)^RUN .*(apt-get|apk|yum|dnf|curl|wget) ");
		java.util.Map<String, String> arguments = new java.util.HashMap<>();
		Matcher argument = Pattern.compile("(?m)^ARG (\\w+)=(\\S+)$").matcher(dockerfile);
		while (argument.find()) {
			arguments.put(argument.group(1), argument.group(2));
		}
		Matcher from = Pattern.compile("(?m)^FROM (\\S+)").matcher(dockerfile);
		while (from.find()) {
			String image = from.group(1);
			for (java.util.Map.Entry<String, String> entry : arguments.entrySet()) {
				image = image.replace("${" + entry.getKey() + "}", entry.getValue());
			}
			assertThat(image).as("base image %s", from.group(1)).matches("[\\w./-]+:[\\w.-]+");
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "gateway.Dockerfile", "worker.Dockerfile", "worker-cuda.Dockerfile" })
	void whenADockerfileCopiesAJarThenTheBuildProducesThatJar(String name) throws IOException {
		String dockerfile = Files.readString(REPOSITORY.resolve("docker").resolve(name));
		Matcher copy = Pattern.compile("(?m)^COPY (\\S+)/target/(\\S+)-\\*-exec\\.jar").matcher(dockerfile);
		assertThat(copy.find()).isTrue();
		String pom = Files.readString(REPOSITORY.resolve(copy.group(1)).resolve("pom.xml"));
		assertThat(pom).contains("<artifactId>" + copy.group(2) + "</artifactId>")
			.contains("<classifier>exec</classifier>");
		assertThat(Files.readString(REPOSITORY.resolve(".dockerignore")))
			.contains("!" + copy.group(1) + "/target/" + copy.group(2) + "-*-exec.jar");
	}

	@Test
	void whenTheCudaImageFetchesPytorchNativesThenTheirVersionIsThePomsPytorchVersion() throws IOException {
		String dockerfile = Files.readString(REPOSITORY.resolve("docker/worker-cuda.Dockerfile"));
		String pom = Files.readString(REPOSITORY.resolve("pom.xml"));
		Matcher pinned = Pattern.compile("<pytorch.version>([^<]+)</pytorch.version>").matcher(pom);
		assertThat(pinned.find()).isTrue();
		assertThat(dockerfile).contains("ARG DJL_PYTORCH_VERSION=" + pinned.group(1))
			.contains("PYTORCH_LIBRARY_PATH=/opt/djl/pytorch");
	}

	@Test
	void whenTheProbeCallsAServerThenItsExitCodeFollowsTheStatus(@TempDir Path classes) throws Exception {
		int compiled = ToolProvider.getSystemJavaCompiler()
			.run(null, null, null, "-d", classes.toString(), REPOSITORY.resolve("docker/HttpProbe.java").toString());
		assertThat(compiled).isZero();
		HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		server.createContext("/actuator/health/liveness", (exchange) -> {
			exchange.sendResponseHeaders(200, -1);
			exchange.close();
		});
		server.createContext("/drain", (exchange) -> {
			exchange.sendResponseHeaders(exchange.getRequestMethod().equals("POST") ? 202 : 405, -1);
			exchange.close();
		});
		server.start();
		try {
			String base = "http://127.0.0.1:" + server.getAddress().getPort();
			assertThat(probe(classes, base + "/actuator/health/liveness")).isZero();
			assertThat(probe(classes, "--post", base + "/drain", "--then-sleep", "0")).isZero();
			assertThat(probe(classes, base + "/drain")).isEqualTo(1);
			assertThat(probe(classes, base + "/missing")).isEqualTo(1);
		}
		finally {
			server.stop(0);
		}
	}

	private static int probe(Path classes, String... arguments) throws Exception {
		List<String> command = new java.util.ArrayList<>(
				List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classes.toString(),
						"HttpProbe"));
		command.addAll(List.of(arguments));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		process.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
		assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
		return process.exitValue();
	}

}
