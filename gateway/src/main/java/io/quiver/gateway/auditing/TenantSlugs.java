package io.quiver.gateway.auditing;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.quiver.audit.AuditEvent;
import io.quiver.tenancy.tenant.TenantService;

import org.springframework.stereotype.Component;

/**
 * Tenant id to slug, the name audit chains go by. Slugs never change, so a resolved one
 * is kept for good and the request path asks the database at most once per tenant.
 */
@Component
class TenantSlugs {

	private final TenantService tenants;

	private final Map<UUID, String> slugs = new ConcurrentHashMap<>();

	TenantSlugs(TenantService tenants) {
		this.tenants = tenants;
	}

	String slugOf(UUID tenantId) {
		if (tenantId == null) {
			return AuditEvent.PLATFORM_TENANT;
		}
		String slug = this.slugs.get(tenantId);
		if (slug != null) {
			return slug;
		}
		return this.tenants.findById(tenantId).map((tenant) -> {
			this.slugs.put(tenantId, tenant.getSlug());
			return tenant.getSlug();
		}).orElse(AuditEvent.PLATFORM_TENANT);
	}

}
