package io.quiver.gateway;

import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.quiver.tenancy.identityprovider.IdentityProviderSettings;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.MockWebServerWrapper;
import no.nav.security.mock.oauth2.token.KeyProvider;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;

/**
 * A real OAuth2 / OpenID Connect server in the test JVM (mock-oauth2-server): each issuer
 * id is an issuer with its own published keys and discovery document, and a sign-in page
 * where a browser names any subject and claims. Tokens are signed with the issuer's
 * private key here, so tests can shape every claim, including wrong ones.
 */
public final class TestIdentityProvider {

	/** The audience tenants register. */
	public static final String AUDIENCE = "quiver";

	private static volatile TestIdentityProvider instance;

	private final KeyProvider keys = new KeyProvider();

	private final MockOAuth2Server server;

	private TestIdentityProvider() {
		// Interactive: its authorization endpoint shows a sign-in page, as a real one
		// does.
		this.server = new MockOAuth2Server(new OAuth2Config(true, null, null, false, new OAuth2TokenProvider(this.keys),
				Set.of(), new MockWebServerWrapper()));
		this.server.start();
	}

	public static TestIdentityProvider get() {
		TestIdentityProvider result = instance;
		if (result == null) {
			synchronized (TestIdentityProvider.class) {
				result = instance;
				if (result == null) {
					result = new TestIdentityProvider();
					instance = result;
				}
			}
		}
		return result;
	}

	public MockOAuth2Server server() {
		return this.server;
	}

	public String issuer(String issuerId) {
		return this.server.issuerUrl(issuerId).toString();
	}

	/**
	 * @param issuerId the issuer
	 * @param rolesClaim where roles are, e.g. {@code realm_access.roles}
	 * @return what a tenant admin registers for it: Keycloak-style roles
	 * {@code quiver-admin}, {@code quiver-user}, {@code quiver-auditor}
	 */
	public IdentityProviderSettings settings(String issuerId, String rolesClaim) {
		return new IdentityProviderSettings(issuer(issuerId), this.server.jwksUrl(issuerId).toString(), AUDIENCE,
				List.of("RS256"), "sub", rolesClaim,
				Map.of("quiver-admin", "tenant_admin", "quiver-user", "member", "quiver-auditor", "auditor"), null,
				null);
	}

	/**
	 * @param issuerId the issuer
	 * @param rolesClaim where roles are, e.g. {@code realm_access.roles}
	 * @param consoleClientId the client id the console signs people in with
	 * @return {@link #settings(String, String)} with the console's client (a public one:
	 * PKCE, no secret)
	 */
	public IdentityProviderSettings consoleSettings(String issuerId, String rolesClaim, String consoleClientId) {
		IdentityProviderSettings api = settings(issuerId, rolesClaim);
		return new IdentityProviderSettings(api.issuer(), api.jwksUri(), api.audience(), api.algorithms(),
				api.subjectClaim(), api.rolesClaim(), api.roleMappings(), consoleClientId, null);
	}

	/**
	 * @param issuerId the issuer
	 * @param subject the person
	 * @param roles Keycloak realm roles
	 * @return a valid token for one hour
	 */
	public String token(String issuerId, String subject, String... roles) {
		return sign(issuerId, claims(issuerId, subject).claim("realm_access", Map.of("roles", List.of(roles))).build());
	}

	/**
	 * @param issuerId the issuer whose claims to start from
	 * @param subject the person
	 * @return valid claims (issuer, audience, an hour of validity), to be changed
	 */
	public JWTClaimsSet.Builder claims(String issuerId, String subject) {
		Instant now = Instant.now();
		return new JWTClaimsSet.Builder().issuer(issuer(issuerId))
			.subject(subject)
			.audience(AUDIENCE)
			.issueTime(Date.from(now))
			.notBeforeTime(Date.from(now.minusSeconds(5)))
			.expirationTime(Date.from(now.plusSeconds(3600)));
	}

	/**
	 * @param issuerId whose published key signs
	 * @param claims the claims
	 * @return the compact token
	 */
	public String sign(String issuerId, JWTClaimsSet claims) {
		try {
			RSAKey key = (RSAKey) this.keys.signingKey(issuerId);
			SignedJWT jwt = new SignedJWT(
					new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
					claims);
			jwt.sign(new RSASSASigner(key));
			return jwt.serialize();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * @param issuerId the issuer
	 * @param claims the claims
	 * @return a token signed with a fresh key that the issuer never published, under its
	 * key id
	 */
	public String signWithForeignKey(String issuerId, JWTClaimsSet claims) {
		try {
			RSAKey published = (RSAKey) this.keys.signingKey(issuerId);
			RSAKey foreign = new RSAKeyGenerator(2048).keyID(published.getKeyID()).generate();
			SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(foreign.getKeyID()).build(),
					claims);
			jwt.sign(new RSASSASigner(foreign));
			return jwt.serialize();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * @param issuerId the issuer
	 * @param claims the claims
	 * @return a token "signed" with HS256 using the issuer's public key as the HMAC
	 * secret (the classic algorithm-confusion attack)
	 */
	public String signHs256WithPublicKey(String issuerId, JWTClaimsSet claims) {
		try {
			RSAPublicKey publicKey = ((RSAKey) this.keys.signingKey(issuerId)).toRSAPublicKey();
			SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).build(), claims);
			jwt.sign(new MACSigner(publicKey.getEncoded()));
			return jwt.serialize();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * @param claims the claims
	 * @return an unsigned token ({@code alg: none})
	 */
	public static String unsigned(JWTClaimsSet claims) {
		return new PlainJWT(claims).serialize();
	}

}
