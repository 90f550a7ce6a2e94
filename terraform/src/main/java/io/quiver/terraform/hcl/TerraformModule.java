package io.quiver.terraform.hcl;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;

/**
 * What one Terraform module (one folder of {@code .tf} files) declares, read from
 * hcl2json's parse of its files.
 *
 * @param directory the module's folder
 * @param files the parsed {@code .tf} files
 * @param variables input variables by name
 * @param outputs output names, each with its description ({@code null} when absent)
 * @param locals local value names
 * @param resources managed resources as {@code type.name}
 * @param dataSources data sources as {@code type.name}
 * @param moduleCalls module calls by name
 * @param requiredProviders {@code required_providers} entries by local name
 * @param requiredVersion the {@code required_version} constraint, {@code null} when
 * absent
 * @param providerOfResource the provider local name each resource and data source uses,
 * by {@code type.name}
 */
public record TerraformModule(Path directory, List<HclFile> files, Map<String, Variable> variables,
		Map<String, String> outputs, Set<String> locals, Set<String> resources, Set<String> dataSources,
		Map<String, ModuleCall> moduleCalls, Map<String, RequiredProvider> requiredProviders, String requiredVersion,
		Map<String, String> providerOfResource, Set<String> unpinnedCharts) {

	private static final Set<String> MODULE_META_ARGUMENTS = Set.of("source", "version", "providers", "count",
			"for_each", "depends_on");

	/**
	 * Reads a module from its parsed files (files that did not parse are skipped: the
	 * parse check reports them).
	 * @param directory the module's folder
	 * @param files its parsed {@code .tf} files
	 * @return the module
	 */
	public static TerraformModule read(Path directory, List<HclFile> files) {
		Map<String, Variable> variables = new LinkedHashMap<>();
		Map<String, String> outputs = new LinkedHashMap<>();
		Set<String> locals = new LinkedHashSet<>();
		Set<String> resources = new LinkedHashSet<>();
		Set<String> dataSources = new LinkedHashSet<>();
		Map<String, ModuleCall> moduleCalls = new LinkedHashMap<>();
		Map<String, RequiredProvider> requiredProviders = new LinkedHashMap<>();
		Map<String, String> providerOfResource = new LinkedHashMap<>();
		Set<String> unpinnedCharts = new LinkedHashSet<>();
		String requiredVersion = null;
		for (HclFile file : files) {
			if (!file.parsed()) {
				continue;
			}
			JsonNode body = file.body();
			body.path("variable").properties().forEach((entry) -> {
				JsonNode block = entry.getValue().path(0);
				variables.put(entry.getKey(),
						new Variable(entry.getKey(), file.path(), text(block.get("type")),
								text(block.get("description")), block.has("default"),
								block.path("nullable").isBoolean() && !block.path("nullable").asBoolean()));
			});
			body.path("output")
				.properties()
				.forEach((entry) -> outputs.put(entry.getKey(), text(entry.getValue().path(0).get("description"))));
			for (JsonNode block : body.path("locals")) {
				block.propertyNames().forEach(locals::add);
			}
			readResources(body.path("resource"), resources, providerOfResource, "");
			body.path("resource").path("helm_release").properties().forEach((release) -> {
				JsonNode block = release.getValue().path(0);
				if (block.has("repository") && !block.has("version")) {
					unpinnedCharts.add("helm_release." + release.getKey());
				}
			});
			readResources(body.path("data"), dataSources, providerOfResource, "data.");
			body.path("module").properties().forEach((entry) -> {
				JsonNode block = entry.getValue().path(0);
				Set<String> inputs = new LinkedHashSet<>();
				block.propertyNames().forEach((name) -> {
					if (!MODULE_META_ARGUMENTS.contains(name)) {
						inputs.add(name);
					}
				});
				moduleCalls.put(entry.getKey(), new ModuleCall(entry.getKey(), file.path(), text(block.get("source")),
						text(block.get("version")), inputs));
			});
			for (JsonNode terraform : body.path("terraform")) {
				if (terraform.has("required_version")) {
					requiredVersion = text(terraform.get("required_version"));
				}
				for (JsonNode providers : terraform.path("required_providers")) {
					providers.properties().forEach((entry) -> {
						JsonNode spec = entry.getValue();
						requiredProviders.put(entry.getKey(),
								new RequiredProvider(entry.getKey(), file.path(),
										spec.isString() ? null : text(spec.get("source")),
										spec.isString() ? spec.asString() : text(spec.get("version"))));
					});
				}
			}
		}
		return new TerraformModule(directory, files, variables, outputs, locals, resources, dataSources, moduleCalls,
				requiredProviders, requiredVersion, providerOfResource, unpinnedCharts);
	}

	private static void readResources(JsonNode byType, Set<String> names, Map<String, String> providerOf,
			String prefix) {
		byType.properties().forEach((type) -> type.getValue().properties().forEach((resource) -> {
			String address = type.getKey() + "." + resource.getKey();
			names.add(address);
			String provider = text(resource.getValue().path(0).get("provider"));
			if (provider != null) {
				provider = provider.replace("${", "").replace("}", "");
				int dot = provider.indexOf('.');
				provider = (dot < 0) ? provider : provider.substring(0, dot);
			}
			else {
				int underscore = type.getKey().indexOf('_');
				provider = (underscore < 0) ? type.getKey() : type.getKey().substring(0, underscore);
			}
			providerOf.put(prefix + address, provider);
		}));
	}

	private static String text(JsonNode node) {
		if (node == null || node.isNull() || node.isMissingNode()) {
			return null;
		}
		return node.isString() ? node.asString() : node.toString();
	}

	/**
	 * Every string value in the module's files, with the file it is in (the expressions
	 * to scan).
	 */
	public List<Located> strings() {
		List<Located> strings = new ArrayList<>();
		for (HclFile file : this.files) {
			if (file.parsed()) {
				collect(file.path(), file.body(), strings);
			}
		}
		return strings;
	}

	/**
	 * Names that {@code dynamic} blocks bind in this module (the block label and any
	 * {@code iterator}).
	 */
	public Set<String> dynamicBlockNames() {
		Set<String> names = new LinkedHashSet<>();
		for (HclFile file : this.files) {
			if (file.parsed()) {
				collectDynamic(file.body(), names);
			}
		}
		return names;
	}

	private static void collectDynamic(JsonNode node, Set<String> names) {
		if (node.isObject()) {
			node.properties().forEach((entry) -> {
				if (entry.getKey().equals("dynamic")) {
					entry.getValue().properties().forEach((dynamic) -> {
						names.add(dynamic.getKey());
						for (JsonNode block : dynamic.getValue()) {
							if (block.has("iterator")) {
								names.add(block.get("iterator").asString().replace("${", "").replace("}", ""));
							}
						}
					});
				}
				collectDynamic(entry.getValue(), names);
			});
		}
		else if (node.isArray()) {
			node.forEach((child) -> collectDynamic(child, names));
		}
	}

	private static void collect(Path file, JsonNode body, List<Located> strings) {
		body.properties().forEach((entry) -> {
			switch (entry.getKey()) {
				// A moved block names an address that no longer exists, by design.
				case "moved" -> {
				}
				// A variable's type constraint is not a reference.
				case "variable" -> entry.getValue()
					.properties()
					.forEach((variable) -> variable.getValue()
						.forEach((block) -> block.properties().forEach((argument) -> {
							if (!argument.getKey().equals("type")) {
								collectAll(file, argument.getValue(), strings);
							}
						})));
				default -> collectAll(file, entry.getValue(), strings);
			}
		});
	}

	private static void collectAll(Path file, JsonNode node, List<Located> strings) {
		if (node.isString()) {
			strings.add(new Located(file, node.asString()));
		}
		else if (node.isObject()) {
			node.properties().forEach((entry) -> collectAll(file, entry.getValue(), strings));
		}
		else if (node.isArray()) {
			node.forEach((child) -> collectAll(file, child, strings));
		}
	}

	/**
	 * An input variable.
	 *
	 * @param name its name
	 * @param file where it is declared
	 * @param type its type constraint, {@code null} when absent
	 * @param description its description, {@code null} when absent
	 * @param hasDefault whether it has a default (so callers may leave it out)
	 * @param notNullable whether {@code nullable = false}
	 */
	public record Variable(String name, Path file, String type, String description, boolean hasDefault,
			boolean notNullable) {

	}

	/**
	 * A module call.
	 *
	 * @param name its label
	 * @param file where it is
	 * @param source its {@code source}
	 * @param version its {@code version}, {@code null} when absent
	 * @param inputs the arguments it passes, meta-arguments left out
	 */
	public record ModuleCall(String name, Path file, String source, String version, Set<String> inputs) {

		/** Whether the source is a folder of this repository. */
		public boolean isLocal() {
			return this.source != null && (this.source.startsWith("./") || this.source.startsWith("../"));
		}

	}

	/**
	 * A {@code required_providers} entry.
	 *
	 * @param name its local name
	 * @param file where it is
	 * @param source its {@code source} address, {@code null} when absent
	 * @param version its version constraint, {@code null} when absent
	 */
	public record RequiredProvider(String name, Path file, String source, String version) {

	}

	/**
	 * A string value and the file it is in.
	 *
	 * @param file the file
	 * @param value the value, as hcl2json prints it
	 */
	public record Located(Path file, String value) {

	}

}
