package io.quiver.terraform.check;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import io.quiver.terraform.hcl.HclFile;
import io.quiver.terraform.hcl.HclParser;
import io.quiver.terraform.hcl.TerraformModule;

/**
 * Every Terraform module and test file under a root folder ({@code terraform/}), parsed
 * in one go.
 *
 * @param root the root folder
 * @param files every parsed {@code .tf} and {@code .tftest.hcl} file
 * @param modules every folder holding {@code .tf} files, by folder
 */
public record TerraformTree(Path root, Map<Path, HclFile> files, Map<Path, TerraformModule> modules) {

	private static final Set<String> SKIPPED_FOLDERS = Set.of(".terraform", "target", "node_modules", "src", "charts",
			".git");

	/**
	 * Finds and parses every {@code .tf} and {@code .tftest.hcl} file under {@code root}.
	 * @param root the folder to read
	 * @param parser the HCL parser
	 * @return the tree
	 */
	public static TerraformTree read(Path root, HclParser parser) {
		List<Path> paths = hclFiles(root);
		Map<Path, HclFile> files = parser.parse(paths);
		Map<Path, List<HclFile>> byFolder = new LinkedHashMap<>();
		files.values()
			.stream()
			.filter((file) -> file.path().getFileName().toString().endsWith(".tf"))
			.forEach((file) -> byFolder.computeIfAbsent(file.path().getParent(), (folder) -> new ArrayList<>())
				.add(file));
		Map<Path, TerraformModule> modules = new LinkedHashMap<>();
		byFolder.forEach((folder, folderFiles) -> modules.put(folder, TerraformModule.read(folder, folderFiles)));
		return new TerraformTree(root, files, modules);
	}

	private static List<Path> hclFiles(Path root) {
		try (Stream<Path> walk = Files.walk(root)) {
			return walk.filter(Files::isRegularFile)
				.filter((path) -> root.relativize(path).getParent() == null
						|| Stream.iterate(root.relativize(path).getParent(), (p) -> p != null, Path::getParent)
							.noneMatch((p) -> SKIPPED_FOLDERS.contains(p.getFileName().toString())))
				.filter((path) -> path.getFileName().toString().endsWith(".tf")
						|| path.getFileName().toString().endsWith(".tftest.hcl"))
				.sorted()
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The module in a folder, or {@code null}. */
	public TerraformModule module(Path folder) {
		return this.modules.get(folder.normalize());
	}

}
