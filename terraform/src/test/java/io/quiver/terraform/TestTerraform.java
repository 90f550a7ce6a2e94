package io.quiver.terraform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.quiver.terraform.check.TerraformChecks;
import io.quiver.terraform.check.TerraformTree;
import io.quiver.terraform.hcl.HclParser;
import io.quiver.terraform.hcl.NodeTools;

/**
 * Fixtures for the checks: the real {@code terraform/} folder, the tools the build
 * installed, and copies of the tree to plant faults in.
 */
public final class TestTerraform {

	/** The cloud roots whose outputs must match, relative to {@code terraform/}. */
	public static final List<String> PARITY_GROUP = List.of("modules/aws", "modules/gcp", "modules/azure",
			"examples/aws-minimal", "examples/aws-production", "examples/gcp-minimal", "examples/gcp-production",
			"examples/azure-minimal", "examples/azure-production");

	private TestTerraform() {
	}

	public static Path root() {
		return Path.of(System.getProperty("quiver.terraform.dir", ".")).toAbsolutePath().normalize();
	}

	public static Path docs() {
		return Path.of(System.getProperty("quiver.docs.dir", "../docs")).toAbsolutePath().normalize().resolve("deploy");
	}

	public static Path chart() {
		return root().resolve("charts/quiver");
	}

	public static NodeTools tools() {
		return NodeTools.fromSystemProperty();
	}

	public static HclParser parser() {
		return new HclParser(tools());
	}

	public static TerraformTree tree(Path root) {
		return TerraformTree.read(root.toAbsolutePath().normalize(), parser());
	}

	public static TerraformChecks checks(Path root) {
		return new TerraformChecks(tree(root));
	}

	public static List<Path> parityGroup(Path root) {
		return PARITY_GROUP.stream().map((folder) -> root.toAbsolutePath().normalize().resolve(folder)).toList();
	}

	/**
	 * Copies {@code modules/} and {@code examples/} (and the chart, for the chart tests)
	 * to {@code target}.
	 */
	public static Path copyTree(Path target) {
		for (String folder : List.of("modules", "examples", "charts")) {
			copy(root().resolve(folder), target.resolve(folder));
		}
		return target;
	}

	public static void copy(Path from, Path to) {
		try (Stream<Path> walk = Files.walk(from)) {
			for (Path source : walk.toList()) {
				Path destination = to.resolve(from.relativize(source).toString());
				if (Files.isDirectory(source)) {
					Files.createDirectories(destination);
				}
				else {
					Files.copy(source, destination);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Replaces the first occurrence of {@code from} in a file, failing when it is not
	 * there.
	 */
	public static void plant(Path file, String from, String to) {
		try {
			String text = Files.readString(file);
			if (!text.contains(from)) {
				throw new IllegalStateException(file + " does not contain: " + from);
			}
			Files.writeString(file, text.replaceFirst(java.util.regex.Pattern.quote(from),
					java.util.regex.Matcher.quoteReplacement(to)));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public static void append(Path file, String text) {
		try {
			Files.writeString(file, Files.readString(file) + text);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
