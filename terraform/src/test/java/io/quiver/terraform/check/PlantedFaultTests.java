package io.quiver.terraform.check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

import io.quiver.terraform.TestTerraform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.quiver.terraform.TestTerraform.append;
import static io.quiver.terraform.TestTerraform.plant;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each check fails on a fault planted in a copy of the real tree: a check that passes on
 * the tree but would also pass on a broken one proves nothing.
 */
class PlantedFaultTests {

	@TempDir
	Path root;

	@Test
	void whenNothingIsPlantedThenTheCopyPassesEveryCheck() {
		TestTerraform.copyTree(this.root);
		TerraformChecks checks = TestTerraform.checks(this.root);
		assertThat(checks.all(TestTerraform.parityGroup(this.root))).isEmpty();
	}

	@Test
	void whenAFileIsNotValidHclThenParseFails() {
		TestTerraform.copyTree(this.root);
		append(file("modules/aws/main.tf"), "\nresource \"aws_s3_bucket\" \"broken\" {\n  bucket = \n}\n");
		assertFinding(TerraformChecks::parse, "parse", "modules/aws/main.tf", "Invalid expression");
	}

	@Test
	void whenAFileIsNotFormattedThenFormatFails() {
		TestTerraform.copyTree(this.root);
		plant(file("examples/azure-minimal/main.tf"), "  gpu_max_nodes              = 1", "  gpu_max_nodes = 1");
		assertFinding(TerraformChecks::formatting, "format", "examples/azure-minimal/main.tf",
				"not in canonical format");
	}

	@Test
	void whenAVariableIsMisspelledThenReferencesFail() {
		TestTerraform.copyTree(this.root);
		plant(file("modules/aws/main.tf"), "var.db_instance_class", "var.db_instance_klass");
		assertFinding(TerraformChecks::references, "references", "modules/aws/main.tf",
				"var.db_instance_klass is not a declared variable");
	}

	@Test
	void whenALocalIsMisspelledThenReferencesFail() {
		TestTerraform.copyTree(this.root);
		plant(file("modules/gcp/main.tf"), "local.bucket_name", "local.bucket_nam");
		assertFinding(TerraformChecks::references, "references", "modules/gcp/main.tf",
				"local.bucket_nam is not a declared local value");
	}

	@Test
	void whenAResourceIsMisspelledThenReferencesFail() {
		TestTerraform.copyTree(this.root);
		plant(file("modules/aws/main.tf"), "kms_key_id            = aws_kms_key.this.arn",
				"kms_key_id            = aws_kms_key.that.arn");
		assertFinding(TerraformChecks::references, "references", "modules/aws/main.tf",
				"aws_kms_key.that is not a declared resource");
	}

	@Test
	void whenADataSourceIsMisspelledThenReferencesFail() {
		TestTerraform.copyTree(this.root);
		plant(file("modules/azure/main.tf"), "data.azurerm_client_config.current.tenant_id",
				"data.azurerm_client_config.currant.tenant_id");
		assertFinding(TerraformChecks::references, "references", "modules/azure/main.tf",
				"data.azurerm_client_config.currant is not a declared data source");
	}

	@Test
	void whenAModuleCallIsMisspelledThenReferencesFail() {
		TestTerraform.copyTree(this.root);
		plant(file("modules/aws/outputs.tf"), "module.db.db_instance_endpoint", "module.database.db_instance_endpoint");
		assertFinding(TerraformChecks::references, "references", "modules/aws/outputs.tf",
				"module.database is not a declared module call");
	}

	@Test
	void whenAnExampleReadsAnOutputTheModuleLacksThenReferencesFail() {
		TestTerraform.copyTree(this.root);
		plant(file("examples/gcp-minimal/outputs.tf"), "module.quiver.bucket_name", "module.quiver.bucket");
		assertFinding(TerraformChecks::references, "references", "examples/gcp-minimal/outputs.tf",
				"module.quiver.bucket is not an output of ../../modules/gcp");
	}

	@Test
	void whenATestAssertsOnAMissingOutputThenReferencesFail() {
		TestTerraform.copyTree(this.root);
		plant(file("modules/aws/tests/aws.tftest.hcl"), "output.cluster_name", "output.cluster");
		assertFinding(TerraformChecks::references, "references", "modules/aws/tests/aws.tftest.hcl",
				"output.cluster is not an output of modules/aws");
	}

	@Test
	void whenAModuleIsPassedAnUnknownInputThenModuleInputsFail() {
		TestTerraform.copyTree(this.root);
		plant(file("examples/aws-minimal/main.tf"), "redis_replicas      = 0", "redis_replica_count = 0");
		assertFinding(TerraformChecks::moduleInputs, "module-inputs", "examples/aws-minimal/main.tf",
				"module quiver passes redis_replica_count, which is not a variable of ../../modules/aws");
	}

	@Test
	void whenAModuleMissesARequiredInputThenModuleInputsFail() {
		TestTerraform.copyTree(this.root);
		plant(file("modules/azure/main.tf"), "  database_url   = \"jdbc:", "  database_uri   = \"jdbc:");
		List<Finding> findings = TestTerraform.checks(this.root).moduleInputs();
		assertThat(findings).extracting(Finding::message)
			.contains("module app does not pass database_url, which ../quiver-app requires",
					"module app passes database_uri, which is not a variable of ../quiver-app");
	}

	@Test
	void whenAProviderHasNoUpperBoundThenPinningFails() {
		TestTerraform.copyTree(this.root);
		plant(file("modules/gcp/versions.tf"), "version = \"~> 6.35\"", "version = \">= 6.0\"");
		assertFinding(TerraformChecks::pinning, "pinning", "modules/gcp/versions.tf",
				"provider google version \">= 6.0\" is not pinned");
	}

	@Test
	void whenAProviderHasNoVersionThenPinningFails() {
		TestTerraform.copyTree(this.root);
		plant(file("modules/aws/versions.tf"), "      source  = \"hashicorp/tls\"\n      version = \"~> 4.1\"",
				"      source  = \"hashicorp/tls\"");
		assertFinding(TerraformChecks::pinning, "pinning", "modules/aws/versions.tf",
				"provider tls has no version constraint");
	}

	@Test
	void whenResourcesUseAnUndeclaredProviderThenPinningFails() {
		TestTerraform.copyTree(this.root);
		append(file("modules/quiver-app/main.tf"), "\nresource \"null_resource\" \"marker\" {}\n");
		assertFinding(TerraformChecks::pinning, "pinning", "modules/quiver-app/versions.tf",
				"resources use provider null, which required_providers does not declare");
	}

	@Test
	void whenTerraformItselfIsNotPinnedThenPinningFails() {
		TestTerraform.copyTree(this.root);
		plant(file("modules/azure/versions.tf"), "required_version = \">= 1.9.0, < 2.0.0\"",
				"required_version = \">= 1.9.0\"");
		assertFinding(TerraformChecks::pinning, "pinning", "modules/azure/versions.tf",
				"required_version \">= 1.9.0\" has no upper bound");
	}

	@Test
	void whenARegistryModuleHasARangeThenPinningFails() {
		TestTerraform.copyTree(this.root);
		plant(file("modules/aws/main.tf"), "version = \"20.36.0\"", "version = \"~> 20.36\"");
		assertFinding(TerraformChecks::pinning, "pinning", "modules/aws/main.tf",
				"registry source terraform-aws-modules/eks/aws version \"~> 20.36\" is not an exact version");
	}

	@Test
	void whenARegistryModuleHasNoVersionThenPinningFails() {
		TestTerraform.copyTree(this.root);
		plant(file("modules/gcp/main.tf"), "  version = \"10.0.0\"\n", "");
		assertFinding(TerraformChecks::pinning, "pinning", "modules/gcp/main.tf",
				"module network: registry source terraform-google-modules/network/google has no version");
	}

	@Test
	void whenAGitModuleHasNoRefThenPinningFails() {
		TestTerraform.copyTree(this.root);
		plant(file("modules/azure/main.tf"), "  source  = \"Azure/aks/azurerm\"\n  version = \"9.4.1\"",
				"  source  = \"git::https://github.com/Azure/terraform-azurerm-aks.git\"");
		assertFinding(TerraformChecks::pinning, "pinning", "modules/azure/main.tf", "is not pinned to a tag or commit");
	}

	@Test
	void whenAThirdPartyChartHasNoVersionThenPinningFails() {
		TestTerraform.copyTree(this.root);
		plant(file("modules/quiver-app/main.tf"), "  version          = var.chart_versions.keda\n", "");
		assertFinding(TerraformChecks::pinning, "pinning", "modules/quiver-app/main.tf",
				"helm_release.keda installs a chart from a repository without a version");
	}

	@Test
	void whenAVariableHasNoTypeThenVariablesFail() {
		TestTerraform.copyTree(this.root);
		plant(file("modules/azure/variables.tf"), "variable \"location\" {\n  type        = string\n",
				"variable \"location\" {\n");
		assertFinding(TerraformChecks::variables, "variables", "modules/azure/variables.tf",
				"variable location has no type");
	}

	@Test
	void whenAVariableHasNoDescriptionThenVariablesFail() {
		TestTerraform.copyTree(this.root);
		plant(file("modules/quiver-app/variables.tf"),
				"  description = \"Namespace Quiver is installed into (created).\"\n", "");
		assertFinding(TerraformChecks::variables, "variables", "modules/quiver-app/variables.tf",
				"variable namespace has no description");
	}

	@Test
	void whenAVariableIsNotSnakeCaseThenVariablesFail() {
		TestTerraform.copyTree(this.root);
		plant(file("examples/aws-production/variables.tf"), "variable \"cost_center\"", "variable \"costCenter\"");
		assertFinding(TerraformChecks::variables, "variables", "examples/aws-production/variables.tf",
				"variable costCenter is not snake_case");
	}

	@Test
	void whenAnOutputHasNoDescriptionThenVariablesFail() {
		TestTerraform.copyTree(this.root);
		plant(file("modules/quiver-app/outputs.tf"), "  description = \"Version of the Quiver chart installed.\"\n",
				"");
		assertFinding(TerraformChecks::variables, "variables", "modules/quiver-app/outputs.tf",
				"output chart_version has no description");
	}

	@Test
	void whenOneCloudLacksAnOutputThenOutputParityFails() {
		TestTerraform.copyTree(this.root);
		Path outputs = file("modules/azure/outputs.tf");
		plant(outputs, "output \"redis_endpoint\"", "output \"cache_endpoint\"");
		List<Finding> findings = TestTerraform.checks(this.root).outputParity(TestTerraform.parityGroup(this.root));
		assertThat(findings).extracting(Finding::message)
			.contains("lacks outputs the other cloud roots have: [redis_endpoint]",
					"lacks outputs the other cloud roots have: [cache_endpoint]");
		assertThat(findings).extracting((finding) -> this.root.relativize(finding.file()).toString())
			.contains("modules/azure/outputs.tf", "modules/aws/outputs.tf");
	}

	@Test
	void whenAModuleLacksItsReadmeThenLayoutFails() throws IOException {
		TestTerraform.copyTree(this.root);
		Files.delete(file("modules/gcp/README.md"));
		assertFinding(TerraformChecks::layout, "layout", "modules/gcp", "lacks README.md");
	}

	@Test
	void whenAResourceIsAddedWithoutDocumentingItThenDocsFail() {
		TestTerraform.copyTree(this.root);
		append(file("modules/gcp/main.tf"),
				"\nresource \"google_compute_firewall\" \"undocumented\" {\n  name    = \"x\"\n  network = local.network_id\n}\n");
		List<Finding> findings = TestTerraform.checks(this.root)
			.documented(TestTerraform.docs().resolve("gcp.md"), List.of(file("modules/gcp")), true);
		assertThat(findings).extracting(Finding::message)
			.containsExactly("does not mention `google_compute_firewall.undocumented` of modules/gcp");
	}

	private Path file(String relative) {
		return this.root.resolve(relative);
	}

	private void assertFinding(Function<TerraformChecks, List<Finding>> check, String name, String file,
			String message) {
		List<Finding> findings = check.apply(TestTerraform.checks(this.root));
		assertThat(findings).as("findings of %s", name).anySatisfy((finding) -> {
			assertThat(finding.check()).isEqualTo(name);
			assertThat(this.root.relativize(finding.file()).toString()).isEqualTo(file);
			assertThat(finding.message()).contains(message);
		});
	}

}
