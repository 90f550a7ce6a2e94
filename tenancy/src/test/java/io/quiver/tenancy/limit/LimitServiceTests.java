package io.quiver.tenancy.limit;

import java.time.Duration;
import java.util.Set;

import io.quiver.tenancy.apikey.ApiKeyService;
import io.quiver.tenancy.apikey.IssuedApiKey;
import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.tenant.TenantService;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.event.ApplicationEvents;
import org.springframework.test.context.event.RecordApplicationEvents;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest
@RecordApplicationEvents
class LimitServiceTests {

	@Autowired
	private LimitService limits;

	@Autowired
	private ApiKeyService keys;

	@Autowired
	private TenantService tenants;

	@Autowired
	private ApplicationEvents events;

	@Test
	void whenLimitedKeyIsRotatedThenItsSuccessorIsLimitedTheSameAndTheCopyIsPublished() {
		Tenant tenant = this.tenants.create("lim-" + suffix(), "Limited", "test");
		IssuedApiKey old = this.keys.issue(tenant.getId(), "svc", Set.of("inference"), null, "test");
		Limits limited = new Limits(5, 1_000L, 2, 50_000L, "day");
		this.limits.setForKey(tenant, old.key().getPublicId(), limited, "test");

		IssuedApiKey successor = this.keys.rotate(tenant.getId(), old.key().getPublicId(), Duration.ofHours(1),
				"rotator");

		assertThat(this.limits.ofKeyPublicId(tenant.getId(), successor.key().getPublicId())).isEqualTo(limited);
		assertThat(this.limits.ofKey(tenant.getId(), successor.key().getId())).isEqualTo(limited);
		// The old key keeps its own limits through the overlap.
		assertThat(this.limits.ofKeyPublicId(tenant.getId(), old.key().getPublicId())).isEqualTo(limited);
		assertThat(this.events.stream(LimitsChanged.class)
			.filter((changed) -> successor.key().getPublicId().equals(changed.keyPublicId()))).containsExactly(
					new LimitsChanged(tenant.getId(), successor.key().getPublicId(), Limits.NONE, limited, "rotator"));
	}

	@Test
	void whenUnlimitedKeyIsRotatedThenNoLimitsAreStoredForItsSuccessor() {
		Tenant tenant = this.tenants.create("unl-" + suffix(), "Unlimited", "test");
		IssuedApiKey old = this.keys.issue(tenant.getId(), "svc", Set.of("inference"), null, "test");
		this.limits.setForTenant(tenant, new Limits(10, null, null, null, null), "test");

		IssuedApiKey successor = this.keys.rotate(tenant.getId(), old.key().getPublicId(), Duration.ZERO, "rotator");

		assertThat(this.limits.ofKeyPublicId(tenant.getId(), successor.key().getPublicId())).isEqualTo(Limits.NONE);
		assertThat(this.events.stream(LimitsChanged.class).filter((changed) -> changed.keyPublicId() != null))
			.isEmpty();
	}

	private static String suffix() {
		return Long.toString(System.nanoTime() % 1_000_000_000L, 36);
	}

}
