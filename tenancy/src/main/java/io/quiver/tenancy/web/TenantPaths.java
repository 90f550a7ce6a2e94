package io.quiver.tenancy.web;

import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.tenant.TenantRepository;

import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Resolves the {@code {tenant}} of an admin path. The security chain has already refused
 * callers of other tenants; this is the second wall: every lookup below goes through the
 * tenant's id.
 */
@Component
public class TenantPaths {

	private final TenantRepository tenants;

	TenantPaths(TenantRepository tenants) {
		this.tenants = tenants;
	}

	/**
	 * @param slug the tenant in the path
	 * @return the tenant
	 * @throws NotFoundException if there is none
	 */
	@Transactional(readOnly = true)
	public Tenant require(String slug) {
		return this.tenants.findBySlug(slug).orElseThrow(NotFoundException::new);
	}

}
