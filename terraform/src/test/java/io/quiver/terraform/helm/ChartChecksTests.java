package io.quiver.terraform.helm;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.quiver.terraform.TestTerraform;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real chart, linted and rendered by Helm with the default values and each
 * {@code ci/*-values.yaml}; then the security promises checked on what it renders.
 */
class ChartChecksTests {

	static final Map<String, Integer> DEFAULT_KINDS = Map.of("Deployment", 2, "Service", 2, "HorizontalPodAutoscaler",
			1, "PodDisruptionBudget", 2, "ScaledObject", 1, "NetworkPolicy", 3, "ServiceAccount", 2);

	private static ChartChecks checks;

	private static ChartChecks.Rendered defaults;

	private static ChartChecks.Rendered production;

	@BeforeAll
	static void render() {
		checks = new ChartChecks(Helm.from(TestTerraform.tools()));
		defaults = checks.check(TestTerraform.chart(), List.of(), DEFAULT_KINDS);
		production = checks.check(TestTerraform.chart(), List.of(values("production")),
				withKinds(Map.of("ExternalSecret", 1, "SecretStore", 1, "ServiceMonitor", 2)));
	}

	@Test
	void whenRenderedWithDefaultValuesThenHelmLintsRendersAndEveryKindIsThere() {
		assertThat(defaults.findings()).isEmpty();
	}

	@Test
	void whenRenderedWithProductionValuesThenSecretsComeFromTheSecretManagerAndMetricsAreScraped() {
		assertThat(production.findings()).isEmpty();
	}

	@Test
	void whenRenderedWithCsiValuesThenASecretProviderClassAndAServiceAttachmentAreThere() {
		ChartChecks.Rendered csi = checks.check(TestTerraform.chart(), List.of(values("csi")),
				withKinds(Map.of("SecretProviderClass", 1, "ServiceAttachment", 1)));
		assertThat(csi.findings()).isEmpty();
	}

	@Test
	void whenRenderedWithTheValuesTerraformComputesThenTheReleaseTerraformInstallsIsValid() {
		ChartChecks.Rendered rendered = checks.check(TestTerraform.chart(), List.of(values("terraform")),
				withKinds(Map.of("ExternalSecret", 1, "SecretStore", 1)));
		assertThat(rendered.findings()).isEmpty();
		Map<String, Object> store = Rendering.find(rendered.objects(), "SecretStore", "quiver");
		assertThat(Rendering.<String>at(store, "spec", "provider", "azurekv", "authType"))
			.isEqualTo("WorkloadIdentity");
	}

	@Test
	void whenRenderedWithPublicValuesThenTheLoadBalancerIsPublicOnlyForTheGivenRanges() {
		Map<String, Integer> kinds = new java.util.HashMap<>(DEFAULT_KINDS);
		kinds.remove("ScaledObject");
		ChartChecks.Rendered rendered = checks.check(TestTerraform.chart(), List.of(values("public")), kinds);
		assertThat(rendered.findings()).isEmpty();
		Map<String, Object> service = Rendering.find(rendered.objects(), "Service", "quiver-gateway");
		assertThat(Rendering.<Map<String, Object>>at(service, "metadata", "annotations"))
			.containsEntry("service.beta.kubernetes.io/azure-load-balancer-internal", "false");
		assertThat(Rendering.<List<String>>at(service, "spec", "loadBalancerSourceRanges"))
			.containsExactly("203.0.113.0/24");
		assertThat(Rendering.objectsOfKind(rendered.objects(), "ScaledObject")).isEmpty();
	}

	@Test
	void whenRenderedThenEveryContainerRunsAsNonRootOnAReadOnlyRootFileSystem() {
		for (ChartChecks.Rendered rendered : List.of(defaults, production)) {
			for (Map<String, Object> deployment : Rendering.objectsOfKind(rendered.objects(), "Deployment")) {
				Map<String, Object> pod = Rendering.at(deployment, "spec", "template", "spec");
				assertThat(Rendering.<Boolean>at(pod, "securityContext", "runAsNonRoot")).isTrue();
				for (Map<String, Object> container : Rendering.containers(pod)) {
					assertThat(Rendering.<Boolean>at(container, "securityContext", "readOnlyRootFilesystem"))
						.as("readOnlyRootFilesystem of %s", container.get("name"))
						.isTrue();
					assertThat(Rendering.<Boolean>at(container, "securityContext", "allowPrivilegeEscalation"))
						.isFalse();
				}
			}
		}
	}

	@Test
	void whenRenderedForACloudThenTheGatewayLoadBalancerIsInternal() {
		Map<String, Object> service = Rendering.find(production.objects(), "Service", "quiver-gateway");
		assertThat(Rendering.<String>at(service, "spec", "type")).isEqualTo("LoadBalancer");
		assertThat(Rendering.<Map<String, Object>>at(service, "metadata", "annotations"))
			.containsEntry("service.beta.kubernetes.io/aws-load-balancer-internal", "true");
		Map<String, Object> generic = Rendering.find(defaults.objects(), "Service", "quiver-gateway");
		assertThat(Rendering.<String>at(generic, "spec", "type")).isEqualTo("ClusterIP");
	}

	@Test
	void whenRenderedThenWorkersSitBehindAHeadlessServiceAndScaleFromZeroOnGatewayMetrics() {
		Map<String, Object> workers = Rendering.find(defaults.objects(), "Service", "quiver-worker");
		assertThat(Rendering.<String>at(workers, "spec", "clusterIP")).isEqualTo("None");
		Map<String, Object> scaledObject = Rendering.find(defaults.objects(), "ScaledObject", "quiver-worker");
		assertThat(Rendering.<Integer>at(scaledObject, "spec", "minReplicaCount")).isZero();
		assertThat(Rendering.<List<Map<String, Object>>>at(scaledObject, "spec", "triggers"))
			.extracting((trigger) -> Rendering.<String>at(trigger, "metadata", "query"))
			.anySatisfy((query) -> assertThat(query).contains("quiver_gateway_pending_requests"))
			.anySatisfy((query) -> assertThat(query).contains("quiver_gateway_requests_total"));
		Map<String, Object> gateway = Rendering.find(defaults.objects(), "Deployment", "quiver-gateway");
		assertThat(Rendering.containers(Rendering.at(gateway, "spec", "template", "spec")).get(0).toString())
			.contains("QUIVER_ROUTING_DNS_NAME", "quiver-worker.quiver.svc.cluster.local", "QUIVER_ROUTING_DNS_PORT");
	}

	@Test
	void whenRenderedThenOnlyTheGatewayAndPrometheusReachTheWorkers() {
		Map<String, Object> policy = Rendering.find(defaults.objects(), "NetworkPolicy", "quiver-worker");
		List<Map<String, Object>> ingress = Rendering.at(policy, "spec", "ingress");
		assertThat(ingress).hasSize(2);
		assertThat(ingress.get(0).toString()).contains("app.kubernetes.io/component=gateway");
		assertThat(ingress.get(1).toString()).contains("kubernetes.io/metadata.name=monitoring");
		Map<String, Object> deny = Rendering.find(defaults.objects(), "NetworkPolicy", "quiver-default-deny");
		assertThat(Rendering.<List<String>>at(deny, "spec", "policyTypes")).containsExactly("Ingress", "Egress");
	}

	@Test
	void whenRenderedWithGpusThenWorkersRequestAGpuAndTolerateTheGpuTaint() {
		Map<String, Object> worker = Rendering.find(defaults.objects(), "Deployment", "quiver-worker");
		Map<String, Object> pod = Rendering.at(worker, "spec", "template", "spec");
		assertThat(Rendering.<Map<String, Object>>at(Rendering.containers(pod).get(0), "resources", "limits"))
			.containsEntry("nvidia.com/gpu", 1);
		assertThat(Rendering.<List<Map<String, Object>>>at(pod, "tolerations"))
			.anySatisfy((toleration) -> assertThat(toleration).containsEntry("key", "nvidia.com/gpu"));
		assertThat(Rendering.<Map<String, Object>>at(pod, "nodeSelector")).containsEntry("quiver.io/pool", "gpu");
	}

	static Path values(String name) {
		return TestTerraform.chart().resolve("ci/" + name + "-values.yaml");
	}

	static Map<String, Integer> withKinds(Map<String, Integer> extra) {
		Map<String, Integer> kinds = new java.util.HashMap<>(DEFAULT_KINDS);
		kinds.putAll(extra);
		return kinds;
	}

}
