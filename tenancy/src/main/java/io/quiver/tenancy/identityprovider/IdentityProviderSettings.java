package io.quiver.tenancy.identityprovider;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
 */
public record IdentityProviderSettings(String issuer, String jwksUri, String audience, List<String> algorithms,
		String subjectClaim, String rolesClaim, Map<String, String> roleMappings) {

	/**
	 * Asymmetric algorithms only: an HMAC secret shared with an IdP is not a public key.
	 */
	public static final Set<String> ALLOWED_ALGORITHMS = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
			"ES256", "ES384", "ES512", "EdDSA");

	public IdentityProviderSettings {
		algorithms = (algorithms == null || algorithms.isEmpty()) ? List.of("RS256") : List.copyOf(algorithms);
		subjectClaim = (subjectClaim == null || subjectClaim.isBlank()) ? "sub" : subjectClaim;
		rolesClaim = (rolesClaim == null || rolesClaim.isBlank()) ? "roles" : rolesClaim;
		roleMappings = (roleMappings != null) ? Map.copyOf(roleMappings) : Map.of();
	}

	/**
	 * @throws IllegalArgumentException if anything is missing or unsafe
	 */
	void validate() {
		requireText(this.issuer, "issuer");
		requireText(this.audience, "audience");
		requireHttpUri(this.issuer, "issuer");
		requireHttpUri(this.jwksUri, "jwksUri");
		for (String algorithm : this.algorithms) {
			if (!ALLOWED_ALGORITHMS.contains(algorithm)) {
				throw new IllegalArgumentException(
						"Algorithm '" + algorithm + "' is not allowed; use one of " + ALLOWED_ALGORITHMS);
			}
		}
		this.roleMappings.values().forEach((role) -> {
			if (Role.of(role) == Role.PLATFORM_ADMIN) {
				throw new IllegalArgumentException("An identity provider cannot grant the platform admin role");
			}
		});
	}

	private static void requireText(String value, String name) {
		if (value == null || value.isBlank() || value.length() > 2048) {
			throw new IllegalArgumentException("'" + name + "' is required");
		}
	}

	private static void requireHttpUri(String value, String name) {
		requireText(value, name);
		URI uri;
		try {
			uri = URI.create(value);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("'" + name + "' is not a URI");
		}
		boolean loopback = "127.0.0.1".equals(uri.getHost()) || "localhost".equals(uri.getHost());
		if (!"https".equals(uri.getScheme()) && !("http".equals(uri.getScheme()) && loopback)) {
			throw new IllegalArgumentException("'" + name + "' must be an https URI");
		}
	}

}
