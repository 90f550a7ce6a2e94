package io.quiver.tenancy.identityprovider;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class IdentityProviderSettingsTests {

	private static final String ISSUER = "https://login.example.com/realms/acme";

	@Test
	void whenSettingsAreCompleteThenThereAreNoProblems() {
		IdentityProviderSettings settings = new IdentityProviderSettings(ISSUER, ISSUER + "/certs", "quiver",
				List.of("RS256", "ES256"), null, "realm_access.roles", Map.of("quiver-admins", "tenant_admin"),
				"quiver-console", "QUIVER_ACME_CONSOLE_SECRET");
		assertThat(settings.problems()).isEmpty();
		assertThat(settings.subjectClaim()).isEqualTo("sub");
	}

	@Test
	void whenSeveralFieldsAreWrongThenEachProblemIsNamedByItsField() {
		IdentityProviderSettings settings = new IdentityProviderSettings("http://login.example.com", " ", "",
				List.of("HS256"), null, null, Map.of("everyone", "platform_admin", "x", "root"), null, "s3cr3t value");
		Map<String, String> problems = settings.problems();
		assertThat(problems).containsOnlyKeys("issuer", "jwksUri", "audience", "algorithms", "roleMappings",
				"consoleClientSecretRef");
		assertThat(problems.get("issuer")).isEqualTo("'issuer' must be an https URI");
		assertThat(problems.get("jwksUri")).isEqualTo("'jwksUri' is required");
		assertThat(problems.get("algorithms")).contains("HS256");
		assertThatIllegalArgumentException().isThrownBy(settings::validate)
			.withMessage("'issuer' must be an https URI");
	}

	@Test
	void whenSecretIsReferencedWithoutAClientThenRefused() {
		IdentityProviderSettings settings = new IdentityProviderSettings(ISSUER, ISSUER + "/certs", "quiver", null,
				null, null, null, " ", "QUIVER_ACME_CONSOLE_SECRET");
		assertThat(settings.consoleClientId()).isNull();
		assertThat(settings.problems()).containsOnlyKeys("consoleClientSecretRef");
	}

	@Test
	void whenEndpointIsPlainHttpThenOnlyLoopbackIsCallable() {
		assertThat(IdentityProviderSettings.isCallable("https://login.example.com/token")).isTrue();
		assertThat(IdentityProviderSettings.isCallable("http://localhost:8180/token")).isTrue();
		assertThat(IdentityProviderSettings.isCallable("http://login.example.com/token")).isFalse();
		assertThat(IdentityProviderSettings.isCallable("javascript:alert(1)")).isFalse();
	}

}
