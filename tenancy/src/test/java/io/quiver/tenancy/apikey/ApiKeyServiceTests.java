package io.quiver.tenancy.apikey;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.UUID;

import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.tenant.TenantService;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

@SpringBootTest
class ApiKeyServiceTests {

	@Autowired
	private ApiKeyService keys;

	@Autowired
	private TenantService tenants;

	@Autowired
	private JdbcTemplate jdbc;

	@Test
	void whenIssuedThenAuthenticatesAndStoresOnlyAHash() {
		Tenant tenant = this.tenants.create("acme-" + suffix(), "Acme", "test");
		IssuedApiKey issued = this.keys.issue(tenant.getId(), "ci", Set.of("inference"), null, "test");

		ApiKeyPrincipal principal = this.keys.authenticate(issued.secret()).orElseThrow();
		assertThat(principal.tenant()).isEqualTo(tenant.getSlug());
		assertThat(principal.publicId()).isEqualTo(issued.key().getPublicId());
		assertThat(principal.hasScope("inference")).isTrue();

		String everything = this.jdbc
			.queryForList("select * from api_keys where public_id = ?", issued.key().getPublicId())
			.toString();
		assertThat(everything).doesNotContain(issued.secret().substring(8));
		assertThat(issued.toString()).doesNotContain(issued.secret());
	}

	@Test
	void whenRevokedExpiredUnknownOrMalformedThenRejected() {
		Tenant tenant = this.tenants.create("beta-" + suffix(), "Beta", "test");
		IssuedApiKey revoked = this.keys.issue(tenant.getId(), "old", Set.of("inference"), null, "test");
		assertThat(this.keys.revoke(tenant.getId(), revoked.key().getPublicId(), "test")).isTrue();
		assertThat(this.keys.authenticate(revoked.secret())).isEmpty();

		IssuedApiKey expiring = this.keys.issue(tenant.getId(), "short", Set.of("inference"),
				Instant.now().plusSeconds(3600), "test");
		this.jdbc.update("update api_keys set expires_at = now() - interval '1 second' where public_id = ?",
				expiring.key().getPublicId());
		assertThat(this.keys.authenticate(expiring.secret())).isEmpty();

		assertThat(this.keys.authenticate(ApiKeySecret.generate())).isEmpty();
		assertThat(this.keys.authenticate("qvr_not-a-key")).isEmpty();
		assertThat(this.keys.authenticate(null)).isEmpty();
	}

	@Test
	void whenAnotherTenantRevokesThenTheKeyIsUntouchedAndLooksMissing() {
		Tenant owner = this.tenants.create("own-" + suffix(), "Owner", "test");
		Tenant other = this.tenants.create("oth-" + suffix(), "Other", "test");
		IssuedApiKey issued = this.keys.issue(owner.getId(), "k", Set.of("inference"), null, "test");
		assertThat(this.keys.revoke(other.getId(), issued.key().getPublicId(), "intruder")).isFalse();
		assertThat(this.keys.authenticate(issued.secret())).isPresent();
	}

	@Test
	void whenInputIsInvalidThenIssueRefuses() {
		Tenant tenant = this.tenants.create("gam-" + suffix(), "Gamma", "test");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.keys.issue(tenant.getId(), " ", Set.of("inference"), null, "test"));
		assertThatIllegalArgumentException().isThrownBy(() -> this.keys.issue(tenant.getId(), "k", Set.of("inference"),
				Instant.now().minus(1, ChronoUnit.DAYS), "test"));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.keys.issue(UUID.randomUUID(), "k", Set.of("inference"), null, "test"));
		assertThatIllegalArgumentException().isThrownBy(() -> this.tenants.create("Bad Slug", "x", "test"));
	}

	private static String suffix() {
		return Long.toString(System.nanoTime() % 1_000_000_000L, 36);
	}

}
