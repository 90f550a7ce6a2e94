package io.quiver.gateway.security;

import java.util.HashSet;
import java.util.Set;

import io.quiver.tenancy.member.Scopes;
import io.quiver.tenancy.tenant.TenantService;

import org.springframework.stereotype.Component;

/**
 * Turns what a credential carries into what its caller may do: the platform admin scope
 * counts only for callers of the platform tenant, then implications are added.
 */
@Component
class ScopePolicy {

	private final TenantService tenants;

	ScopePolicy(TenantService tenants) {
		this.tenants = tenants;
	}

	Set<String> effective(String tenant, Set<String> granted) {
		Set<String> honoured = new HashSet<>(granted);
		if (!this.tenants.isPlatformTenant(tenant)) {
			honoured.remove(Scopes.PLATFORM_ADMIN);
		}
		return Scopes.expand(honoured);
	}

}
