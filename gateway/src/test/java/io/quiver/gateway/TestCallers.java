package io.quiver.gateway;

import java.util.Set;

import io.quiver.tenancy.apikey.ApiKeyService;
import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.tenant.TenantService;

/**
 * Fixtures: a fresh tenant with a key, per test.
 */
public final class TestCallers {

	private TestCallers() {
	}

	/**
	 * @param tenants the tenant service
	 * @param keys the key service
	 * @param scopes the key's scopes
	 * @return a new tenant and the secret of a key of it
	 */
	public static TenantKey tenantWithKey(TenantService tenants, ApiKeyService keys, String... scopes) {
		String slug = "t" + Long.toString(System.nanoTime(), 36);
		Tenant tenant = tenants.create(slug, "Tenant " + slug, "test");
		String secret = keys.issue(tenant.getId(), "test", Set.of(scopes), null, "test").secret();
		return new TenantKey(tenant, secret);
	}

	/**
	 * @param tenant the tenant
	 * @param secret a key of it
	 */
	public record TenantKey(Tenant tenant, String secret) {

		public String slug() {
			return this.tenant.getSlug();
		}

	}

}
