package io.quiver.gateway.console;

import java.util.Arrays;
import java.util.List;

import io.quiver.gateway.security.Caller;
import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.tenant.TenantRepository;

import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Which tenants' pages a signed-in user may open: their own, and every tenant for a
 * platform admin. Everything else is a {@link ConsoleNotFoundException}.
 */
@Component
class ConsoleTenants {

	private final TenantRepository tenants;

	ConsoleTenants(TenantRepository tenants) {
		this.tenants = tenants;
	}

	/**
	 * @param caller the signed-in user
	 * @param slug the tenant the path names
	 * @param scopes what the page needs, e.g. {@code admin}: any one of them will do;
	 * none for a page every signed-in person of the tenant may read
	 * @return the tenant
	 * @throws ConsoleNotFoundException if the tenant is missing, foreign, or the user
	 * lacks every one of the scopes
	 */
	@Transactional(readOnly = true)
	Tenant open(Caller caller, String slug, String... scopes) {
		boolean platform = caller.hasScope(ConsoleRole.PLATFORM);
		if (!platform && !caller.tenant().equals(slug)) {
			throw new ConsoleNotFoundException();
		}
		if (scopes.length > 0 && Arrays.stream(scopes).noneMatch(caller::hasScope)) {
			throw new ConsoleNotFoundException();
		}
		return this.tenants.findBySlug(slug).orElseThrow(ConsoleNotFoundException::new);
	}

	/**
	 * @param caller the signed-in user
	 * @return the tenants the switcher offers, by slug
	 */
	@Transactional(readOnly = true)
	List<Tenant> switchable(Caller caller) {
		if (caller.hasScope(ConsoleRole.PLATFORM)) {
			return this.tenants.findAll(Sort.by("slug"));
		}
		return this.tenants.findBySlug(caller.tenant()).stream().toList();
	}

}
