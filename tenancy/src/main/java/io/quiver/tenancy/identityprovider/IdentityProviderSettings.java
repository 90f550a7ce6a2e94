package io.quiver.tenancy.identityprovider;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.quiver.tenancy.member.Role;

/**
 * What an administrator states about an identity provider.
 *
 * @param issuer the exact {@code iss} its tokens carry
 * @param jwksUri where its public keys are published (https, or http only for loopback)
 * @param audience the {@code aud} its tokens must carry for Quiver
 * @param algorithms the signature algorithms accepted, e.g. {@code RS256}; only
 * asymmetric ones
 * @param subjectClaim the claim naming the person (default {@code sub}; {@code oid} on
 * Entra ID)
 * @param rolesClaim dotted path to the claim holding roles or groups:
 * {@code realm_access.roles} (Keycloak), {@code roles} (Entra ID), {@code groups} (Okta)
 * @param roleMappings a value of that claim → a Quiver role ({@code tenant_admin},
 * {@code member}, {@code auditor})
 * @param consoleClientId the client id the admin console signs people in with at this
 * provider, or {@code null} when the console does not use it
 * @param consoleClientSecretRef the name of the environment variable or configuration
 * property holding that client's secret, or {@code null} for a public client; the secret
 * itself is never stored
 */
public record IdentityProviderSettings(String issuer, String jwksUri, String audience, List<String> algorithms,
		String subjectClaim, String rolesClaim, Map<String, String> roleMappings, String consoleClientId,
		String consoleClientSecretRef) {

	/**
	 * Asymmetric algorithms only: an HMAC secret shared with an IdP is not a public key.
	 */
	public static final Set<String> ALLOWED_ALGORITHMS = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
			"ES256", "ES384", "ES512", "EdDSA");

	/** A variable or property name: never a value that could be a secret itself. */
	private static final Pattern SECRET_REF = Pattern.compile("^[A-Za-z_][A-Za-z0-9_.-]{0,127}$");

	public IdentityProviderSettings {
		algorithms = (algorithms == null || algorithms.isEmpty()) ? List.of("RS256") : List.copyOf(algorithms);
		subjectClaim = (subjectClaim == null || subjectClaim.isBlank()) ? "sub" : subjectClaim;
		rolesClaim = (rolesClaim == null || rolesClaim.isBlank()) ? "roles" : rolesClaim;
		roleMappings = (roleMappings != null) ? Map.copyOf(roleMappings) : Map.of();
		consoleClientId = (consoleClientId == null || consoleClientId.isBlank()) ? null : consoleClientId.trim();
		consoleClientSecretRef = (consoleClientSecretRef == null || consoleClientSecretRef.isBlank()) ? null
				: consoleClientSecretRef.trim();
	}

	/**
	 * @throws IllegalArgumentException if anything is missing or unsafe, with the first
	 * of {@link #problems()}
	 */
	void validate() {
		Map<String, String> problems = problems();
		if (!problems.isEmpty()) {
			throw new IllegalArgumentException(problems.values().iterator().next());
		}
	}

	/**
	 * @return what is missing or unsafe, by the field it concerns ({@code issuer},
	 * {@code jwksUri}, ...), in the order of the fields; empty when the settings are
	 * valid
	 */
	public Map<String, String> problems() {
		Map<String, String> problems = new LinkedHashMap<>();
		check(problems, "issuer", httpUriProblem(this.issuer, "issuer"));
		check(problems, "jwksUri", httpUriProblem(this.jwksUri, "jwksUri"));
		check(problems, "audience", textProblem(this.audience, "audience"));
		for (String algorithm : this.algorithms) {
			if (!ALLOWED_ALGORITHMS.contains(algorithm)) {
				check(problems, "algorithms",
						"Algorithm '" + algorithm + "' is not allowed; use one of " + ALLOWED_ALGORITHMS);
			}
		}
		for (String role : this.roleMappings.values()) {
			try {
				if (Role.of(role) == Role.PLATFORM_ADMIN) {
					check(problems, "roleMappings", "An identity provider cannot grant the platform admin role");
				}
			}
			catch (IllegalArgumentException ex) {
				check(problems, "roleMappings", ex.getMessage());
			}
		}
		if (this.consoleClientId != null && this.consoleClientId.length() > 256) {
			check(problems, "consoleClientId", "'consoleClientId' must be at most 256 characters");
		}
		if (this.consoleClientSecretRef != null) {
			if (!SECRET_REF.matcher(this.consoleClientSecretRef).matches()) {
				check(problems, "consoleClientSecretRef",
						"'consoleClientSecretRef' must name an environment variable or configuration property,"
								+ " such as QUIVER_IDP_CLIENT_SECRET");
			}
			else if (this.consoleClientId == null) {
				check(problems, "consoleClientSecretRef", "A client secret needs a 'consoleClientId'");
			}
		}
		return problems;
	}

	private static void check(Map<String, String> problems, String field, String problem) {
		if (problem != null) {
			problems.putIfAbsent(field, problem);
		}
	}

	private static String textProblem(String value, String name) {
		if (value == null || value.isBlank() || value.length() > 2048) {
			return "'" + name + "' is required";
		}
		return null;
	}

	private static String httpUriProblem(String value, String name) {
		String missing = textProblem(value, name);
		if (missing != null) {
			return missing;
		}
		URI uri;
		try {
			uri = URI.create(value);
		}
		catch (IllegalArgumentException ex) {
			return "'" + name + "' is not a URI";
		}
		boolean loopback = "127.0.0.1".equals(uri.getHost()) || "localhost".equals(uri.getHost());
		if (!"https".equals(uri.getScheme()) && !("http".equals(uri.getScheme()) && loopback)) {
			return "'" + name + "' must be an https URI";
		}
		return null;
	}

	/**
	 * @param uri an endpoint an identity provider names, e.g. in its discovery document
	 * @return whether it is as safe to call as a registered one: https, or http only for
	 * loopback
	 */
	public static boolean isCallable(String uri) {
		return httpUriProblem(uri, "uri") == null;
	}

}
