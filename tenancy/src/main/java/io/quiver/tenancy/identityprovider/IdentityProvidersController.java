package io.quiver.tenancy.identityprovider;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.quiver.tenancy.web.TenantPaths;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * A tenant's identity providers ({@code /identity-providers}).
 */
@RestController
class IdentityProvidersController {

	private final IdentityProviderService providers;

	private final TenantPaths tenants;

	IdentityProvidersController(IdentityProviderService providers, TenantPaths tenants) {
		this.providers = providers;
		this.tenants = tenants;
	}

	@GetMapping("/admin/v1/tenants/{tenant}/identity-providers")
	List<ProviderView> list(@PathVariable String tenant) {
		return this.providers.list(this.tenants.require(tenant)).stream().map(ProviderView::of).toList();
	}

	@PostMapping("/admin/v1/tenants/{tenant}/identity-providers")
	@ResponseStatus(HttpStatus.CREATED)
	ProviderView register(@PathVariable String tenant, @RequestBody IdentityProviderSettings body,
			Authentication authentication) {
		return ProviderView.of(this.providers.register(this.tenants.require(tenant), body, authentication.getName()));
	}

	@GetMapping("/admin/v1/tenants/{tenant}/identity-providers/{id}")
	ProviderView get(@PathVariable String tenant, @PathVariable String id) {
		return ProviderView.of(this.providers.find(this.tenants.require(tenant), id));
	}

	@PutMapping("/admin/v1/tenants/{tenant}/identity-providers/{id}")
	ProviderView change(@PathVariable String tenant, @PathVariable String id,
			@RequestBody IdentityProviderSettings body, Authentication authentication) {
		return ProviderView.of(this.providers.change(this.tenants.require(tenant), id, body, authentication.getName()));
	}

	@DeleteMapping("/admin/v1/tenants/{tenant}/identity-providers/{id}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	void remove(@PathVariable String tenant, @PathVariable String id, Authentication authentication) {
		this.providers.remove(this.tenants.require(tenant), id, authentication.getName());
	}

	record ProviderView(String id, String issuer, String jwksUri, String audience, List<String> algorithms,
			String subjectClaim, String rolesClaim, Map<String, String> roleMappings, String consoleClientId,
			String consoleClientSecretRef, Instant createdAt, String createdBy) {

		static ProviderView of(IdentityProvider provider) {
			IdentityProviderSettings settings = provider.settings();
			return new ProviderView(provider.getPublicId(), settings.issuer(), settings.jwksUri(), settings.audience(),
					settings.algorithms(), settings.subjectClaim(), settings.rolesClaim(), settings.roleMappings(),
					settings.consoleClientId(), settings.consoleClientSecretRef(), provider.getCreatedAt(),
					provider.getCreatedBy());
		}

	}

}
