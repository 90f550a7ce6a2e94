package io.quiver.terraform.helm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import io.quiver.terraform.check.Finding;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Renders the chart with Helm and checks the result: Helm lints it strictly and renders
 * it, every document parses as YAML and has apiVersion, kind and metadata.name, and the
 * kinds expected for the values are all there.
 */
public final class ChartChecks {

	private final Helm helm;

	public ChartChecks(Helm helm) {
		this.helm = helm;
	}

	/**
	 * Lints and renders a chart with some values and checks the rendered kinds.
	 * @param chart the chart folder
	 * @param valuesFiles the values files ({@code List.of()} for the defaults)
	 * @param expectedKinds the least number of objects of each kind the render must hold
	 * @return findings, with the rendered objects
	 */
	public Rendered check(Path chart, List<Path> valuesFiles, Map<String, Integer> expectedKinds) {
		List<Finding> findings = new ArrayList<>();
		String label = valuesFiles.isEmpty() ? "default values" : valuesFiles.toString();
		Helm.Result lint = this.helm.lint(chart, valuesFiles);
		if (!lint.succeeded()) {
			findings.add(new Finding("helm-lint", chart, label + ": " + lint.stdout() + lint.stderr()));
		}
		Helm.Result template = this.helm.template(chart, valuesFiles);
		if (!template.succeeded()) {
			findings.add(new Finding("helm-render", chart, label + ": " + template.stderr()));
			return new Rendered(findings, List.of());
		}
		List<Map<String, Object>> objects = new ArrayList<>();
		try {
			for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(template.stdout())) {
				if (document == null) {
					continue;
				}
				if (!(document instanceof Map<?, ?> map)) {
					findings
						.add(new Finding("helm-render", chart, label + ": a document is not a mapping: " + document));
					continue;
				}
				@SuppressWarnings("unchecked")
				Map<String, Object> object = (Map<String, Object>) map;
				if (object.get("apiVersion") == null || object.get("kind") == null
						|| !(object.get("metadata") instanceof Map<?, ?> metadata) || metadata.get("name") == null) {
					findings.add(new Finding("helm-render", chart,
							label + ": a document lacks apiVersion, kind or metadata.name: " + object));
					continue;
				}
				objects.add(object);
			}
		}
		catch (YAMLException ex) {
			findings
				.add(new Finding("helm-render", chart, label + ": rendered YAML does not parse: " + ex.getMessage()));
			return new Rendered(findings, objects);
		}
		Map<String, Integer> kinds = new TreeMap<>();
		objects.forEach((object) -> kinds.merge(Objects.toString(object.get("kind")), 1, Integer::sum));
		expectedKinds.forEach((kind, least) -> {
			if (kinds.getOrDefault(kind, 0) < least) {
				findings.add(new Finding("helm-kinds", chart, label + ": expected at least " + least + " " + kind
						+ ", rendered " + kinds.getOrDefault(kind, 0) + " (all kinds: " + kinds + ")"));
			}
		});
		return new Rendered(findings, objects);
	}

	/**
	 * A render's findings and objects.
	 *
	 * @param findings what is wrong (empty when nothing is)
	 * @param objects the rendered Kubernetes objects
	 */
	public record Rendered(List<Finding> findings, List<Map<String, Object>> objects) {

	}

}
