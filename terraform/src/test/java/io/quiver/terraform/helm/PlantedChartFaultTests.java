package io.quiver.terraform.helm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.quiver.terraform.TestTerraform;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart checks fail on faults planted in a copy of the chart.
 */
class PlantedChartFaultTests {

	@TempDir
	Path copy;

	private Path chart;

	private ChartChecks checks;

	@BeforeEach
	void copyChart() {
		this.chart = this.copy.resolve("quiver");
		TestTerraform.copy(TestTerraform.chart(), this.chart);
		this.checks = new ChartChecks(Helm.from(TestTerraform.tools()));
	}

	@Test
	void whenATemplateDoesNotParseThenRenderFails() {
		TestTerraform.append(this.chart.resolve("templates/gateway-hpa.yaml"), "\n{{ .Values.gateway.replicas \n");
		assertThat(findings(List.of())).extracting(io.quiver.terraform.check.Finding::check).contains("helm-render");
	}

	@Test
	void whenATemplateRendersInvalidYamlThenRenderFails() {
		TestTerraform.plant(this.chart.resolve("templates/worker-service.yaml"), "  clusterIP: None",
				"  clusterIP: None\n    broken: [unclosed");
		assertThat(findings(List.of())).extracting(io.quiver.terraform.check.Finding::check).contains("helm-render");
	}

	@Test
	void whenAnExpectedKindIsNoLongerRenderedThenKindsFail() throws IOException {
		Files.delete(this.chart.resolve("templates/worker-scaledobject.yaml"));
		assertThat(findings(List.of())).anySatisfy((finding) -> {
			assertThat(finding.check()).isEqualTo("helm-kinds");
			assertThat(finding.message()).contains("expected at least 1 ScaledObject, rendered 0");
		});
	}

	@Test
	void whenValuesAreInvalidThenTheSchemaRejectsThem() throws IOException {
		Path values = this.copy.resolve("bad-values.yaml");
		Files.writeString(values, "secrets:\n  provider: plaintext\n");
		assertThat(findings(List.of(values))).anySatisfy((finding) -> {
			assertThat(finding.check()).isEqualTo("helm-render");
			assertThat(finding.message()).contains("value must be one of 'existing', 'externalSecrets', 'csi'");
		});
	}

	@Test
	void whenARequiredValueIsMissingThenRenderFails() throws IOException {
		Path values = this.copy.resolve("no-model-values.yaml");
		Files.writeString(values, "cloud: aws\nworker:\n  model:\n    source: bucket\n");
		assertThat(findings(List.of(values))).anySatisfy((finding) -> {
			assertThat(finding.check()).isEqualTo("helm-render");
			assertThat(finding.message()).contains("worker.model.uri is required when worker.model.source is bucket");
		});
	}

	@Test
	void whenAValueIsMisspeltThenTheSchemaRejectsIt() throws IOException {
		Path values = this.copy.resolve("typo-values.yaml");
		Files.writeString(values, "gateway:\n  replicas: 3\n  autoscalling:\n    enabled: false\n");
		assertThat(findings(List.of(values))).anySatisfy((finding) -> {
			assertThat(finding.check()).isEqualTo("helm-render");
			assertThat(finding.message()).contains("additional properties 'autoscalling' not allowed");
		});
	}

	@Test
	void whenARenderedObjectHasNoNameThenRenderFails() {
		TestTerraform.plant(this.chart.resolve("templates/worker-service.yaml"),
				"  name: {{ include \"quiver.worker.name\" . }}\n", "");
		assertThat(findings(List.of())).anySatisfy((finding) -> {
			assertThat(finding.check()).isIn("helm-render", "helm-lint");
		});
	}

	private List<io.quiver.terraform.check.Finding> findings(List<Path> values) {
		return this.checks.check(this.chart, values, ChartChecksTests.DEFAULT_KINDS).findings();
	}

}
