package io.quiver.terraform.check;

import java.util.List;

import io.quiver.terraform.TestTerraform;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The static checks on the real {@code terraform/} tree: each must find nothing.
 */
class TerraformChecksTests {

	private static TerraformChecks checks;

	private static TerraformTree tree;

	@BeforeAll
	static void parseTree() {
		tree = TestTerraform.tree(TestTerraform.root());
		checks = new TerraformChecks(tree);
	}

	@Test
	void whenTreeIsReadThenEveryModuleAndExampleIsThere() {
		assertThat(tree.modules().keySet()).map((folder) -> TestTerraform.root().relativize(folder).toString())
			.contains("modules/quiver-app", "modules/aws", "modules/gcp", "modules/azure")
			.containsAll(TestTerraform.PARITY_GROUP);
		assertThat(tree.files().keySet()).anyMatch((file) -> file.toString().endsWith(".tftest.hcl"));
	}

	@Test
	void whenEveryFileIsParsedThenNoneFails() {
		assertNoFindings(checks.parse());
	}

	@Test
	void whenEveryFileIsFormattedThenTerraformFmtWouldChangeNothing() {
		assertNoFindings(checks.formatting());
	}

	@Test
	void whenReferencesAreResolvedThenEachNamesSomethingDeclared() {
		assertNoFindings(checks.references());
	}

	@Test
	void whenLocalModulesAreCalledThenInputsMatchTheirVariables() {
		assertNoFindings(checks.moduleInputs());
	}

	@Test
	void whenSourcesAndProvidersAreReadThenAllArePinned() {
		assertNoFindings(checks.pinning());
	}

	@Test
	void whenVariablesAreReadThenEachHasTypeAndDescription() {
		assertNoFindings(checks.variables());
	}

	@Test
	void whenCloudRootsAreComparedThenTheirOutputsAreIdentical() {
		assertNoFindings(checks.outputParity(TestTerraform.parityGroup(TestTerraform.root())));
	}

	@Test
	void whenModulesAreListedThenEachHasTheStandardFiles() {
		assertNoFindings(checks.layout());
	}

	@Test
	void whenDeploymentGuidesAreReadThenEachListsItsCloudsResourcesAndOutputs() {
		for (String cloud : java.util.List.of("aws", "gcp", "azure")) {
			assertNoFindings(checks.documented(TestTerraform.docs().resolve(cloud + ".md"),
					java.util.List.of(TestTerraform.root().resolve("modules/" + cloud)), true));
		}
	}

	@Test
	void whenTheDeploymentIndexIsReadThenItListsEveryCommonOutput() {
		assertNoFindings(checks.documented(TestTerraform.docs().resolve("README.md"),
				TestTerraform.parityGroup(TestTerraform.root()), false));
	}

	private static void assertNoFindings(List<Finding> findings) {
		assertThat(findings).as(() -> String.join("\n", findings.stream().map(Finding::toString).toList())).isEmpty();
	}

}
