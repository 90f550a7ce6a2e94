package io.quiver.terraform.check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import io.quiver.terraform.hcl.Expressions;
import io.quiver.terraform.hcl.HclFile;
import io.quiver.terraform.hcl.TerraformModule;
import io.quiver.terraform.hcl.TerraformModule.Located;
import io.quiver.terraform.hcl.TerraformModule.ModuleCall;
import io.quiver.terraform.hcl.TerraformModule.RequiredProvider;
import io.quiver.terraform.hcl.TerraformModule.Variable;

/**
 * The checks {@code terraform validate} and a reviewer would make, done on the parsed
 * tree without a terraform binary or provider schemas. Each returns its findings; none
 * means the check passed.
 */
public final class TerraformChecks {

	/** Roots of traversals that are not references to declared objects. */
	private static final Set<String> BUILT_IN_ROOTS = Set.of("each", "count", "path", "self", "terraform", "run",
			"output", "mock_provider", "provider", "override_resource", "override_data", "override_module");

	private static final Pattern SNAKE_CASE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");

	private static final Pattern EXACT_VERSION = Pattern.compile("=?\\s*v?\\d+\\.\\d+\\.\\d+(-[\\w.]+)?");

	private static final Pattern GIT_REF = Pattern.compile(".*[?&]ref=(v?\\d+\\.\\d+\\.\\d+|[0-9a-f]{40})(&.*)?");

	private static final Pattern REGISTRY_SOURCE = Pattern
		.compile("(registry\\.terraform\\.io/|registry\\.opentofu\\.org/)?[\\w-]+/[\\w-]+/[\\w-]+(//.*)?");

	private static final Set<String> BUILT_IN_PROVIDERS = Set.of("terraform");

	private static final List<String> MODULE_FILES = List.of("main.tf", "variables.tf", "outputs.tf", "versions.tf",
			"README.md");

	private final TerraformTree tree;

	public TerraformChecks(TerraformTree tree) {
		this.tree = tree;
	}

	/** Every finding of every check. */
	public List<Finding> all(List<Path> parityGroup) {
		List<Finding> findings = new ArrayList<>();
		findings.addAll(parse());
		findings.addAll(formatting());
		findings.addAll(references());
		findings.addAll(moduleInputs());
		findings.addAll(pinning());
		findings.addAll(variables());
		findings.addAll(outputParity(parityGroup));
		findings.addAll(layout());
		return findings;
	}

	/** Every file parses with HashiCorp's HCL parser. */
	public List<Finding> parse() {
		List<Finding> findings = new ArrayList<>();
		for (HclFile file : this.tree.files().values()) {
			if (!file.parsed()) {
				findings.add(new Finding("parse", file.path(), file.error()));
			}
		}
		if (this.tree.files().isEmpty()) {
			findings.add(new Finding("parse", this.tree.root(), "no .tf files found"));
		}
		return findings;
	}

	/**
	 * Every file is formatted as {@code terraform fmt} formats it (hclwrite's canonical
	 * layout).
	 */
	public List<Finding> formatting() {
		List<Finding> findings = new ArrayList<>();
		for (HclFile file : this.tree.files().values()) {
			if (file.parsed() && !file.formatted()) {
				findings.add(new Finding("format", file.path(), "not in canonical format: run terraform fmt"));
			}
		}
		return findings;
	}

	/**
	 * Every {@code var.}, {@code local.}, {@code module.}, {@code data.} and resource
	 * reference names something the module declares, and every {@code module.m.out} names
	 * an output of a local module. Test files ({@code tests/*.tftest.hcl}) are checked
	 * against the module they test.
	 */
	public List<Finding> references() {
		List<Finding> findings = new ArrayList<>();
		for (TerraformModule module : this.tree.modules().values()) {
			Set<String> skip = new LinkedHashSet<>(module.dynamicBlockNames());
			for (Located located : module.strings()) {
				checkReferences(module, located, skip, findings);
			}
		}
		for (HclFile file : this.tree.files().values()) {
			if (!file.parsed() || !file.path().getFileName().toString().endsWith(".tftest.hcl")) {
				continue;
			}
			TerraformModule tested = this.tree.module(file.path().getParent().getParent());
			if (tested == null) {
				findings.add(new Finding("references", file.path(),
						"a test file must sit in tests/ beside the module it tests"));
				continue;
			}
			TerraformModule asModule = TerraformModule.read(file.path().getParent(), List.of(file));
			for (Located located : asModule.strings()) {
				checkReferences(tested, located, Set.of(), findings);
				for (List<String> traversal : Expressions.traversals(located.value())) {
					if (traversal.get(0).equals("output") && traversal.size() > 1
							&& !tested.outputs().containsKey(traversal.get(1))) {
						findings.add(new Finding("references", file.path(), "output." + traversal.get(1)
								+ " is not an output of " + this.tree.root().relativize(tested.directory())));
					}
				}
			}
		}
		return findings;
	}

	private void checkReferences(TerraformModule module, Located located, Set<String> dynamicNames,
			List<Finding> findings) {
		Set<String> bound = Expressions.forBindings(located.value());
		for (List<String> traversal : Expressions.traversals(located.value())) {
			String root = traversal.get(0);
			if (BUILT_IN_ROOTS.contains(root) || bound.contains(root) || dynamicNames.contains(root)) {
				continue;
			}
			String problem = switch (root) {
				case "var" -> module.variables().containsKey(traversal.get(1)) ? null
						: "var." + traversal.get(1) + " is not a declared variable";
				case "local" -> module.locals().contains(traversal.get(1)) ? null
						: "local." + traversal.get(1) + " is not a declared local value";
				case "module" -> moduleReferenceProblem(module, traversal);
				case "data" ->
					(traversal.size() < 3 || module.dataSources().contains(traversal.get(1) + "." + traversal.get(2)))
							? null
							: "data." + traversal.get(1) + "." + traversal.get(2) + " is not a declared data source";
				default -> (!root.contains("_") || traversal.get(1).equals("*")
						|| module.resources().contains(root + "." + traversal.get(1))) ? null
								: root + "." + traversal.get(1) + " is not a declared resource";
			};
			if (problem != null) {
				findings.add(new Finding("references", located.file(), problem));
			}
		}
	}

	private String moduleReferenceProblem(TerraformModule module, List<String> traversal) {
		ModuleCall call = module.moduleCalls().get(traversal.get(1));
		if (call == null) {
			return "module." + traversal.get(1) + " is not a declared module call";
		}
		if (traversal.size() < 3 || !call.isLocal()) {
			return null;
		}
		TerraformModule called = this.tree.module(module.directory().resolve(call.source()));
		if (called == null || called.outputs().containsKey(traversal.get(2))) {
			return null;
		}
		return "module." + traversal.get(1) + "." + traversal.get(2) + " is not an output of " + call.source();
	}

	/**
	 * A call of a local module passes only that module's variables, and every variable
	 * that has no default.
	 */
	public List<Finding> moduleInputs() {
		List<Finding> findings = new ArrayList<>();
		for (TerraformModule module : this.tree.modules().values()) {
			for (ModuleCall call : module.moduleCalls().values()) {
				if (!call.isLocal()) {
					continue;
				}
				TerraformModule called = this.tree.module(module.directory().resolve(call.source()));
				if (called == null) {
					findings.add(new Finding("module-inputs", call.file(),
							"module " + call.name() + ": no module at " + call.source()));
					continue;
				}
				for (String input : call.inputs()) {
					if (!called.variables().containsKey(input)) {
						findings.add(new Finding("module-inputs", call.file(), "module " + call.name() + " passes "
								+ input + ", which is not a variable of " + call.source()));
					}
				}
				for (Variable variable : called.variables().values()) {
					if (!variable.hasDefault() && !call.inputs().contains(variable.name())) {
						findings.add(new Finding("module-inputs", call.file(), "module " + call.name()
								+ " does not pass " + variable.name() + ", which " + call.source() + " requires"));
					}
				}
			}
		}
		return findings;
	}

	/**
	 * Terraform itself, every provider and every module source is pinned:
	 * {@code required_version} and provider constraints have an upper bound, registry
	 * modules an exact version, git modules a tag or commit; every provider a resource
	 * uses is declared in {@code required_providers} with its source.
	 */
	public List<Finding> pinning() {
		List<Finding> findings = new ArrayList<>();
		for (TerraformModule module : this.tree.modules().values()) {
			Path versions = module.directory().resolve("versions.tf");
			if (module.requiredVersion() == null) {
				findings.add(new Finding("pinning", versions, "terraform { required_version } is missing"));
			}
			else if (!bounded(module.requiredVersion())) {
				findings.add(new Finding("pinning", versions,
						"required_version \"" + module.requiredVersion() + "\" has no upper bound"));
			}
			for (RequiredProvider provider : module.requiredProviders().values()) {
				if (provider.source() == null) {
					findings.add(new Finding("pinning", provider.file(),
							"provider " + provider.name() + " has no source address"));
				}
				if (provider.version() == null) {
					findings.add(new Finding("pinning", provider.file(),
							"provider " + provider.name() + " has no version constraint"));
				}
				else if (!bounded(provider.version())) {
					findings.add(new Finding("pinning", provider.file(), "provider " + provider.name() + " version \""
							+ provider.version() + "\" is not pinned (use ~> x.y or an exact version)"));
				}
			}
			new TreeSet<>(module.providerOfResource().values()).forEach((provider) -> {
				if (!BUILT_IN_PROVIDERS.contains(provider) && !module.requiredProviders().containsKey(provider)) {
					findings.add(new Finding("pinning", versions,
							"resources use provider " + provider + ", which required_providers does not declare"));
				}
			});
			for (String release : module.unpinnedCharts()) {
				findings.add(new Finding("pinning", module.directory().resolve("main.tf"),
						release + " installs a chart from a repository without a version"));
			}
			for (ModuleCall call : module.moduleCalls().values()) {
				String problem = sourceProblem(call);
				if (problem != null) {
					findings.add(new Finding("pinning", call.file(), "module " + call.name() + ": " + problem));
				}
			}
		}
		return findings;
	}

	private static boolean bounded(String constraint) {
		for (String part : constraint.split(",")) {
			String trimmed = part.trim();
			if (trimmed.startsWith("~>") || trimmed.startsWith("<") || EXACT_VERSION.matcher(trimmed).matches()) {
				return true;
			}
		}
		return false;
	}

	private static String sourceProblem(ModuleCall call) {
		if (call.source() == null) {
			return "no source";
		}
		if (call.isLocal()) {
			return (call.version() == null) ? null : "a local module takes no version";
		}
		if (call.source().startsWith("git::") || call.source().startsWith("github.com/")) {
			return GIT_REF.matcher(call.source()).matches() ? null
					: "git source " + call.source() + " is not pinned to a tag or commit (?ref=)";
		}
		if (REGISTRY_SOURCE.matcher(call.source()).matches()) {
			if (call.version() == null) {
				return "registry source " + call.source() + " has no version";
			}
			return EXACT_VERSION.matcher(call.version().trim()).matches() ? null : "registry source " + call.source()
					+ " version \"" + call.version() + "\" is not an exact version";
		}
		return "source " + call.source() + " is neither local, a registry module nor a pinned git reference";
	}

	/**
	 * Every variable has a snake_case name, a type and a description; every output a
	 * description.
	 */
	public List<Finding> variables() {
		List<Finding> findings = new ArrayList<>();
		for (TerraformModule module : this.tree.modules().values()) {
			for (Variable variable : module.variables().values()) {
				if (!SNAKE_CASE.matcher(variable.name()).matches()) {
					findings.add(new Finding("variables", variable.file(),
							"variable " + variable.name() + " is not snake_case"));
				}
				if (variable.type() == null) {
					findings
						.add(new Finding("variables", variable.file(), "variable " + variable.name() + " has no type"));
				}
				if (variable.description() == null || variable.description().isBlank()) {
					findings.add(new Finding("variables", variable.file(),
							"variable " + variable.name() + " has no description"));
				}
			}
			module.outputs().forEach((name, description) -> {
				if (description == null || description.isBlank()) {
					findings.add(new Finding("variables", module.directory().resolve("outputs.tf"),
							"output " + name + " has no description"));
				}
			});
		}
		return findings;
	}

	/**
	 * The given modules (the cloud roots and their examples) expose exactly the same
	 * output names.
	 */
	public List<Finding> outputParity(List<Path> group) {
		List<Finding> findings = new ArrayList<>();
		if (group.isEmpty()) {
			return findings;
		}
		Map<Path, TerraformModule> modules = new java.util.LinkedHashMap<>();
		for (Path folder : group) {
			TerraformModule module = this.tree.module(folder);
			if (module == null) {
				findings.add(new Finding("output-parity", folder, "no Terraform module here"));
			}
			else {
				modules.put(folder, module);
			}
		}
		Set<String> union = new TreeSet<>();
		modules.values().forEach((module) -> union.addAll(module.outputs().keySet()));
		modules.forEach((folder, module) -> {
			Set<String> missing = new TreeSet<>(union);
			missing.removeAll(module.outputs().keySet());
			if (!missing.isEmpty()) {
				findings.add(new Finding("output-parity", folder.resolve("outputs.tf"),
						"lacks outputs the other cloud roots have: " + missing));
			}
		});
		return findings;
	}

	/**
	 * A document names, in backticks, every output of the given modules and, when
	 * {@code withResources}, every resource, data source and module call they declare:
	 * the docs' lists cannot drift from the code.
	 * @param document the Markdown file
	 * @param folders the modules it documents
	 * @param withResources whether it must list what the modules create, too
	 * @return findings, one per name the document lacks
	 */
	public List<Finding> documented(Path document, List<Path> folders, boolean withResources) {
		List<Finding> findings = new ArrayList<>();
		String text;
		try {
			text = Files.readString(document);
		}
		catch (IOException ex) {
			return List.of(new Finding("docs", document, "cannot read: " + ex.getMessage()));
		}
		for (Path folder : folders) {
			TerraformModule module = this.tree.module(folder);
			if (module == null) {
				findings.add(new Finding("docs", folder, "no Terraform module here"));
				continue;
			}
			Set<String> names = new TreeSet<>(module.outputs().keySet());
			if (withResources) {
				names.addAll(module.resources());
				module.dataSources().forEach((address) -> names.add("data." + address));
				module.moduleCalls().keySet().forEach((call) -> names.add("module." + call));
			}
			for (String name : names) {
				if (!text.contains("`" + name + "`") && !text.contains("`" + name + " ")) {
					findings.add(new Finding("docs", document,
							"does not mention `" + name + "` of " + this.tree.root().relativize(folder)));
				}
			}
		}
		return findings;
	}

	/**
	 * Every folder under {@code modules/} has main.tf, variables.tf, outputs.tf,
	 * versions.tf and a README.md.
	 */
	public List<Finding> layout() {
		List<Finding> findings = new ArrayList<>();
		Path modules = this.tree.root().resolve("modules");
		for (TerraformModule module : this.tree.modules().values()) {
			if (!module.directory().getParent().equals(modules)) {
				continue;
			}
			for (String name : MODULE_FILES) {
				if (!Files.isRegularFile(module.directory().resolve(name))) {
					findings.add(new Finding("layout", module.directory(), "lacks " + name));
				}
			}
		}
		return findings;
	}

}
