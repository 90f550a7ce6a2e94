package io.quiver.terraform.hcl;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the build installed the Node packages the checks use ({@code npm ci} into
 * {@code target/node}).
 *
 * @param directory the folder holding {@code package.json}, {@code hcl2json.js} and
 * {@code node_modules}
 */
public record NodeTools(Path directory) {

	/** The system property the build sets to the Node folder. */
	public static final String DIRECTORY_PROPERTY = "quiver.node.dir";

	public NodeTools {
		if (!Files.isDirectory(directory.resolve("node_modules"))) {
			throw new IllegalStateException("No node_modules under " + directory
					+ ": run the build (./mvnw -pl terraform verify), which runs npm ci there");
		}
	}

	/**
	 * The tools the build installed, found through the {@value #DIRECTORY_PROPERTY}
	 * system property.
	 */
	public static NodeTools fromSystemProperty() {
		String directory = System.getProperty(DIRECTORY_PROPERTY);
		if (directory == null) {
			throw new IllegalStateException("System property " + DIRECTORY_PROPERTY + " is not set");
		}
		return new NodeTools(Path.of(directory));
	}

	public Path hcl2jsonScript() {
		return this.directory.resolve("hcl2json.js");
	}

	public Path nodeModules() {
		return this.directory.resolve("node_modules");
	}

}
