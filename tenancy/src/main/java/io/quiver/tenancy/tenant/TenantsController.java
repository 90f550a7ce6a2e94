package io.quiver.tenancy.tenant;

import java.time.Instant;
import java.util.List;

import io.quiver.tenancy.web.NotFoundException;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Tenants: listing and creating them is for platform admins; a tenant's own callers may
 * read their tenant.
 */
@RestController
class TenantsController {

	private final TenantService tenants;

	TenantsController(TenantService tenants) {
		this.tenants = tenants;
	}

	@GetMapping("/admin/v1/tenants")
	List<TenantView> list() {
		return this.tenants.list().stream().map(TenantView::of).toList();
	}

	@PostMapping("/admin/v1/tenants")
	@ResponseStatus(HttpStatus.CREATED)
	TenantView create(@RequestBody NewTenant body, Authentication authentication) {
		if (this.tenants.findBySlug(body.slug()).isPresent()) {
			throw new io.quiver.tenancy.web.ConflictException("This tenant already exists.");
		}
		String name = (body.displayName() == null || body.displayName().isBlank()) ? body.slug() : body.displayName();
		return TenantView.of(this.tenants.create(body.slug(), name, authentication.getName()));
	}

	@GetMapping("/admin/v1/tenants/{tenant}")
	TenantView get(@PathVariable String tenant) {
		return this.tenants.findBySlug(tenant).map(TenantView::of).orElseThrow(NotFoundException::new);
	}

	record NewTenant(String slug, String displayName) {
	}

	record TenantView(String slug, String displayName, boolean active, Instant createdAt) {

		static TenantView of(Tenant tenant) {
			return new TenantView(tenant.getSlug(), tenant.getDisplayName(), tenant.isActive(), tenant.getCreatedAt());
		}

	}

}
