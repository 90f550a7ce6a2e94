package io.quiver.gateway.security;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import com.nimbusds.jwt.JWTClaimsSet;
import io.quiver.gateway.TestCallers;
import io.quiver.gateway.TestCallers.TenantKey;
import io.quiver.gateway.TestHttp;
import io.quiver.gateway.TestIdentityProvider;
import io.quiver.tenancy.identityprovider.IdentityProviderService;
import io.quiver.tenancy.identityprovider.IdentityProviderSettings;
import io.quiver.tenancy.apikey.ApiKeyService;
import io.quiver.tenancy.member.Member;
import io.quiver.tenancy.member.MemberService;
import io.quiver.tenancy.member.Role;
import io.quiver.tenancy.tenant.TenantService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * JWTs from a tenant's own identity provider, against a real OAuth2 server in the test:
 * only tokens of the registered issuer, for the registered audience, in their validity
 * window, signed with a published key and an allowed algorithm, with the claims Quiver
 * needs, authenticate; both credential types end as the same kind of caller.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class JwtAuthenticationTests {

	private final TestIdentityProvider idp = TestIdentityProvider.get();

	@LocalServerPort
	private int port;

	@Autowired
	private TenantService tenants;

	@Autowired
	private ApiKeyService keys;

	@Autowired
	private IdentityProviderService providers;

	@Autowired
	private MemberService members;

	@Autowired
	private JwtAuthenticator jwts;

	private TenantKey tenant;

	private String issuerId;

	private TestHttp http;

	@BeforeEach
	void setUp() {
		this.http = new TestHttp(this.port);
		this.tenant = TestCallers.tenantWithKey(this.tenants, this.keys, "admin");
		this.issuerId = "kc-" + this.tenant.slug();
		this.providers.register(this.tenant.tenant(), this.idp.settings(this.issuerId, "realm_access.roles"), "test");
	}

	@Test
	void whenTokenIsValidThenCallerActsWithTheMappedRole() {
		String member = this.idp.token(this.issuerId, "alice", "quiver-user");
		assertThat(this.http.get("/v1/models", member).statusCode()).isEqualTo(200);
		assertThat(this.http.get(tenantPath("/adapters"), member).statusCode()).isEqualTo(200);
		assertThat(this.http.get(tenantPath("/api-keys"), member).statusCode()).isEqualTo(403);

		String admin = this.idp.token(this.issuerId, "bob", "quiver-admin");
		assertThat(this.http.get(tenantPath("/api-keys"), admin).statusCode()).isEqualTo(200);

		String auditor = this.idp.token(this.issuerId, "carol", "quiver-auditor");
		assertThat(this.http.get("/v1/models", auditor).statusCode()).isEqualTo(403);
	}

	@Test
	void whenTokenComesFromTheServersOwnTokenEndpointThenItAuthenticates() {
		String token = this.idp.server()
			.issueToken(this.issuerId, "dave", TestIdentityProvider.AUDIENCE,
					Map.of("realm_access", Map.of("roles", List.of("quiver-user"))))
			.serialize();
		assertThat(this.http.get("/v1/models", token).statusCode()).isEqualTo(200);
	}

	@Test
	void whenRolesAreEntraOrOktaShapedThenTheyMapToo() {
		TenantKey entra = TestCallers.tenantWithKey(this.tenants, this.keys, "admin");
		this.providers.register(entra.tenant(), this.idp.settings("entra-" + entra.slug(), "roles"), "test");
		String entraToken = this.idp.sign("entra-" + entra.slug(),
				this.idp.claims("entra-" + entra.slug(), "oid-1").claim("roles", List.of("quiver-admin")).build());
		assertThat(this.http.get("/admin/v1/tenants/" + entra.slug() + "/api-keys", entraToken).statusCode())
			.isEqualTo(200);

		TenantKey okta = TestCallers.tenantWithKey(this.tenants, this.keys, "admin");
		this.providers.register(okta.tenant(), this.idp.settings("okta-" + okta.slug(), "groups"), "test");
		String oktaToken = this.idp.sign("okta-" + okta.slug(),
				this.idp.claims("okta-" + okta.slug(), "00u1")
					.claim("groups", List.of("Everyone", "quiver-user"))
					.build());
		assertThat(this.http.get("/v1/models", oktaToken).statusCode()).isEqualTo(200);
	}

	@Test
	void whenMembershipIsRecordedThenItGrantsItsRoleWithoutAClaim() {
		this.members.add(this.tenant.tenant(), Member.USER, "erin", "Erin", Role.TENANT_ADMIN, "test");
		String token = this.idp.token(this.issuerId, "erin");
		assertThat(this.http.get(tenantPath("/api-keys"), token).statusCode()).isEqualTo(200);
	}

	@Test
	void whenTokenIsInvalidInAnyWayThenUnauthorized() {
		Instant now = Instant.now();
		String other = "unregistered-" + this.tenant.slug();
		Map<String, String> bad = new java.util.LinkedHashMap<>();
		bad.put("expired",
				this.idp.sign(this.issuerId,
						valid().expirationTime(Date.from(now.minusSeconds(120)))
							.issueTime(Date.from(now.minusSeconds(3600)))
							.build()));
		bad.put("not yet valid",
				this.idp.sign(this.issuerId, valid().notBeforeTime(Date.from(now.plusSeconds(600))).build()));
		bad.put("wrong issuer",
				this.idp.sign(other,
						this.idp.claims(other, "alice")
							.claim("realm_access", Map.of("roles", List.of("quiver-admin")))
							.build()));
		bad.put("issuer claimed, other issuer's key", this.idp.sign(other, valid().build()));
		bad.put("wrong audience", this.idp.sign(this.issuerId, valid().audience("someone-else").build()));
		bad.put("alg none", TestIdentityProvider.unsigned(valid().build()));
		bad.put("wrong key", this.idp.signWithForeignKey(this.issuerId, valid().build()));
		bad.put("HS256 with the public key", this.idp.signHs256WithPublicKey(this.issuerId, valid().build()));
		bad.put("no subject", this.idp.sign(this.issuerId, valid().subject(null).build()));
		bad.put("no expiry", this.idp.sign(this.issuerId, valid().expirationTime(null).build()));
		bad.put("no issuer", this.idp.sign(this.issuerId, valid().issuer(null).build()));
		bad.put("no audience", this.idp.sign(this.issuerId, valid().audience((String) null).build()));
		String good = this.idp.sign(this.issuerId, valid().build());
		bad.put("tampered payload",
				good.substring(0, good.indexOf('.') + 1)
						+ java.util.Base64.getUrlEncoder()
							.withoutPadding()
							.encodeToString(("{\"iss\":\"" + this.idp.issuer(this.issuerId)
									+ "\",\"sub\":\"mallory\",\"aud\":\"quiver\",\"exp\":9999999999,"
									+ "\"realm_access\":{\"roles\":[\"quiver-admin\"]}}")
								.getBytes())
						+ good.substring(good.lastIndexOf('.')));
		bad.put("garbage", "eyJhbGciOiJSUzI1NiJ9.not-base64!.sig");
		assertThat(this.http.get(tenantPath("/api-keys"), good).statusCode()).isEqualTo(200);
		bad.forEach((why, token) -> {
			// A source of its own per token: this is about verification, not throttling.
			TestHttp http = new TestHttp(this.port);
			HttpResponse<String> openAi = http.get("/v1/models", token);
			assertThat(openAi.statusCode()).as(why).isEqualTo(401);
			assertThat(openAi.body()).as(why).contains("invalid_api_key").doesNotContain(token);
			HttpResponse<String> admin = http.get(tenantPath("/api-keys"), token);
			assertThat(admin.statusCode()).as(why).isEqualTo(401);
			assertThat(admin.body()).as(why).doesNotContain(token);
		});
	}

	@Test
	void whenProviderIsRemovedThenItsTokensStopWorking() {
		String token = this.idp.token(this.issuerId, "alice", "quiver-admin");
		assertThat(this.http.get(tenantPath("/api-keys"), token).statusCode()).isEqualTo(200);
		String id = this.providers.list(this.tenant.tenant()).get(0).getPublicId();
		assertThat(this.http.send("DELETE", tenantPath("/identity-providers/" + id), this.tenant.secret(), null)
			.statusCode()).isEqualTo(204);
		assertThat(this.http.get(tenantPath("/api-keys"), token).statusCode()).isEqualTo(401);
	}

	@Test
	void whenIdTokenIsForAnotherClientOrAnotherSignInThenTheConsoleRefusesIt() {
		String issuer = this.idp.issuer(this.issuerId);
		JWTClaimsSet.Builder claims = this.idp.claims(this.issuerId, "alice")
			.audience("quiver-console")
			.claim("nonce", "nonce-1")
			.claim("realm_access", Map.of("roles", List.of("quiver-admin")));
		String idToken = this.idp.sign(this.issuerId, claims.build());
		assertThat(this.jwts.authenticateIdToken(idToken, issuer, "quiver-console", "nonce-1"))
			.hasValueSatisfying((caller) -> {
				assertThat(caller.tenant()).isEqualTo(this.tenant.slug());
				assertThat(caller.hasScope("admin")).isTrue();
			});
		assertThat(this.jwts.authenticateIdToken(idToken, issuer, "quiver-console", "nonce-2")).isEmpty();
		assertThat(this.jwts.authenticateIdToken(idToken, issuer, "another-client", "nonce-1")).isEmpty();
		assertThat(this.jwts.authenticateIdToken(idToken, "https://other.example.com", "quiver-console", "nonce-1"))
			.isEmpty();
		String apiToken = this.idp.token(this.issuerId, "alice", "quiver-admin");
		assertThat(this.jwts.authenticateIdToken(apiToken, issuer, "quiver-console", "nonce-1")).isEmpty();
		String shared = this.idp.sign(this.issuerId, claims.audience(List.of("quiver-console", "other")).build());
		assertThat(this.jwts.authenticateIdToken(shared, issuer, "quiver-console", "nonce-1")).isEmpty();
		String authorized = this.idp.sign(this.issuerId, claims.claim("azp", "quiver-console").build());
		assertThat(this.jwts.authenticateIdToken(authorized, issuer, "quiver-console", "nonce-1")).isPresent();
		String forged = this.idp.signWithForeignKey(this.issuerId, claims.build());
		assertThat(this.jwts.authenticateIdToken(forged, issuer, "quiver-console", "nonce-1")).isEmpty();
	}

	@Test
	void whenProviderIsUnsafeThenRegistrationIsRefused() {
		IdentityProviderSettings base = this.idp.settings("unsafe-" + this.tenant.slug(), "roles");
		for (IdentityProviderSettings unsafe : List.of(
				new IdentityProviderSettings(base.issuer(), base.jwksUri(), base.audience(), List.of("HS256"), null,
						null, Map.of(), null, null),
				new IdentityProviderSettings(base.issuer(), base.jwksUri(), base.audience(), List.of("none"), null,
						null, Map.of(), null, null),
				new IdentityProviderSettings(base.issuer(), "http://example.com/jwks", base.audience(), null, null,
						null, Map.of(), null, null),
				new IdentityProviderSettings(base.issuer(), base.jwksUri(), base.audience(), null, null, "roles",
						Map.of("x", "platform_admin"), null, null))) {
			HttpResponse<String> response = this.http.post(tenantPath("/identity-providers"), this.tenant.secret(),
					"{\"issuer\":\"" + unsafe.issuer() + "\",\"jwksUri\":\"" + unsafe.jwksUri()
							+ "\",\"audience\":\"quiver\",\"algorithms\":[\""
							+ String.join("\",\"", unsafe.algorithms())
							+ "\"],\"rolesClaim\":\"roles\",\"roleMappings\":"
							+ (unsafe.roleMappings().isEmpty() ? "{}" : "{\"x\":\"platform_admin\"}") + "}");
			assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
			assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		}
	}

	private JWTClaimsSet.Builder valid() {
		return this.idp.claims(this.issuerId, "alice").claim("realm_access", Map.of("roles", List.of("quiver-admin")));
	}

	private String tenantPath(String path) {
		return "/admin/v1/tenants/" + this.tenant.slug() + path;
	}

}
