package io.quiver.tenancy.member;

import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ScopesTests {

	@Test
	void whenRolesAreExpandedThenEachHoldsExactlyWhatItMay() {
		assertThat(Role.TENANT_ADMIN.scopes()).contains("admin", "inference", "adapters:write", "audit:read")
			.doesNotContain("platform:admin");
		assertThat(Role.MEMBER.scopes()).containsExactlyInAnyOrder("inference", "adapters:read", "usage:read");
		assertThat(Role.AUDITOR.scopes()).containsExactly("audit:read");
		assertThat(Role.PLATFORM_ADMIN.scopes()).containsAll(Scopes.ALL);
		assertThat(Scopes.expand(Set.of("adapters:write"))).containsExactlyInAnyOrder("adapters:write",
				"adapters:read");
	}

	@Test
	void whenNameIsUnknownThenRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> Role.of("root"));
		assertThatIllegalArgumentException().isThrownBy(() -> Role.of(null));
		assertThatIllegalArgumentException().isThrownBy(() -> Scopes.requireKnown(Set.of("inference", "sudo")));
		assertThat(Role.of("tenant_admin")).isEqualTo(Role.TENANT_ADMIN);
	}

}
