package io.quiver.tenancy.apikey;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.web.Actor;
import io.quiver.tenancy.web.NotFoundException;
import io.quiver.tenancy.web.TenantPaths;

import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * A tenant's API keys ({@code /api-keys}). A secret appears in exactly one response: the
 * one that creates it.
 */
@RestController
class ApiKeysController {

	private final ApiKeyService keys;

	private final TenantPaths tenants;

	ApiKeysController(ApiKeyService keys, TenantPaths tenants) {
		this.keys = keys;
		this.tenants = tenants;
	}

	@GetMapping("/admin/v1/tenants/{tenant}/api-keys")
	List<KeyView> list(@PathVariable String tenant) {
		return this.keys.list(this.tenants.require(tenant).getId()).stream().map(KeyView::of).toList();
	}

	@PostMapping("/admin/v1/tenants/{tenant}/api-keys")
	ResponseEntity<IssuedKeyView> issue(@PathVariable String tenant, @RequestBody NewKey body,
			Authentication authentication) {
		Tenant owner = this.tenants.require(tenant);
		Actor actor = Actor.of(authentication);
		Set<String> scopes = (body.scopes() != null) ? Set.copyOf(body.scopes()) : Set.of();
		this.keys.requireGrantable(owner, actor, scopes);
		IssuedApiKey issued = this.keys.issue(owner.getId(),
				new ApiKeyService.KeyRequest(body.name(), scopes, body.expiresAt(),
						(body.allowedModels() != null) ? Set.copyOf(body.allowedModels()) : null,
						body.serviceAccount()),
				actor.name());
		return secretResponse(issued);
	}

	@GetMapping("/admin/v1/tenants/{tenant}/api-keys/{id}")
	KeyView get(@PathVariable String tenant, @PathVariable String id) {
		return KeyView.of(this.keys.find(this.tenants.require(tenant).getId(), id));
	}

	@DeleteMapping("/admin/v1/tenants/{tenant}/api-keys/{id}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	void revoke(@PathVariable String tenant, @PathVariable String id, Authentication authentication) {
		if (!this.keys.revoke(this.tenants.require(tenant).getId(), id, authentication.getName())) {
			throw new NotFoundException();
		}
	}

	@PostMapping("/admin/v1/tenants/{tenant}/api-keys/{id}/rotate")
	ResponseEntity<IssuedKeyView> rotate(@PathVariable String tenant, @PathVariable String id,
			@RequestBody(required = false) Rotation body, Authentication authentication) {
		Tenant owner = this.tenants.require(tenant);
		Actor actor = Actor.of(authentication);
		actor.requireAll(this.keys.find(owner.getId(), id).getScopes());
		Duration overlap = (body != null && body.overlap() != null) ? body.overlap() : Duration.ofHours(24);
		return secretResponse(this.keys.rotate(owner.getId(), id, overlap, actor.name()));
	}

	private static ResponseEntity<IssuedKeyView> secretResponse(IssuedApiKey issued) {
		return ResponseEntity.status(HttpStatus.CREATED)
			.cacheControl(CacheControl.noStore())
			.body(new IssuedKeyView(KeyView.of(issued.key()), issued.secret()));
	}

	record NewKey(String name, List<String> scopes, Instant expiresAt, List<String> allowedModels,
			String serviceAccount) {
	}

	/**
	 * @param overlap ISO-8601 duration the old key keeps working, e.g. {@code PT24H}
	 */
	record Rotation(Duration overlap) {
	}

	record KeyView(String id, String name, String prefix, Set<String> scopes, Set<String> allowedModels,
			Instant createdAt, String createdBy, Instant expiresAt, Instant lastUsedAt, Instant revokedAt,
			String replacedBy, boolean serviceAccountKey) {

		static KeyView of(ApiKey key) {
			return new KeyView(key.getPublicId(), key.getName(), key.getDisplayPrefix(), key.getScopes(),
					key.getAllowedModels(), key.getCreatedAt(), key.getCreatedBy(), key.getExpiresAt(),
					key.getLastUsedAt(), key.getRevokedAt(), key.getReplacedBy(), key.getServiceAccountId() != null);
		}

	}

	/**
	 * @param key the key
	 * @param secret its secret, shown this once
	 */
	record IssuedKeyView(KeyView key, String secret) {

		@Override
		public String toString() {
			return "IssuedKeyView[" + this.key.id() + "]";
		}

	}

}
