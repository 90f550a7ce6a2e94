package io.quiver.tenancy.limit;

import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.web.TenantPaths;

import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Limits of a tenant ({@code /limits}, set by platform admins) and of its keys
 * ({@code /api-keys/{id}/limits}, set by tenant admins).
 */
@RestController
class LimitsController {

	private final LimitService limits;

	private final TenantPaths tenants;

	LimitsController(LimitService limits, TenantPaths tenants) {
		this.limits = limits;
		this.tenants = tenants;
	}

	@GetMapping("/admin/v1/tenants/{tenant}/limits")
	Limits ofTenant(@PathVariable String tenant) {
		return this.limits.ofTenant(this.tenants.require(tenant).getId());
	}

	@PutMapping("/admin/v1/tenants/{tenant}/limits")
	Limits setForTenant(@PathVariable String tenant, @RequestBody Limits body, Authentication authentication) {
		return this.limits.setForTenant(this.tenants.require(tenant), body, authentication.getName());
	}

	@GetMapping("/admin/v1/tenants/{tenant}/api-keys/{id}/limits")
	Limits ofKey(@PathVariable String tenant, @PathVariable String id) {
		return this.limits.ofKey(this.tenants.require(tenant), id);
	}

	@PutMapping("/admin/v1/tenants/{tenant}/api-keys/{id}/limits")
	Limits setForKey(@PathVariable String tenant, @PathVariable String id, @RequestBody Limits body,
			Authentication authentication) {
		Tenant owner = this.tenants.require(tenant);
		return this.limits.setForKey(owner, id, body, authentication.getName());
	}

}
