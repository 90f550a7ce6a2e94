package io.quiver.gateway;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.quiver.tenancy.adapter.AdapterService;
import io.quiver.tenancy.adapter.PeftSummary;
import io.quiver.tenancy.apikey.ApiKeyService;
import io.quiver.tenancy.apikey.IssuedApiKey;
import io.quiver.tenancy.identityprovider.IdentityProvider;
import io.quiver.tenancy.identityprovider.IdentityProviderService;
import io.quiver.tenancy.limit.LimitService;
import io.quiver.tenancy.limit.Limits;
import io.quiver.tenancy.member.Member;
import io.quiver.tenancy.member.MemberService;
import io.quiver.tenancy.member.Role;
import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.tenant.TenantService;

import org.springframework.context.ApplicationContext;

/**
 * Fixtures: a tenant with one of everything (members, a service account, keys of every
 * role, an identity provider, an adapter, limits) and a credential for each role and
 * credential type.
 */
public final class TestTenancy {

	private TestTenancy() {
	}

	/**
	 * @param context the gateway's context
	 * @return a new, fully populated tenant
	 */
	public static PopulatedTenant populatedTenant(ApplicationContext context) {
		TenantService tenants = context.getBean(TenantService.class);
		ApiKeyService keys = context.getBean(ApiKeyService.class);
		MemberService members = context.getBean(MemberService.class);
		IdentityProviderService providers = context.getBean(IdentityProviderService.class);
		AdapterService adapters = context.getBean(AdapterService.class);
		LimitService limits = context.getBean(LimitService.class);
		TestIdentityProvider idp = TestIdentityProvider.get();

		String slug = "t" + Long.toString(System.nanoTime(), 36);
		Tenant tenant = tenants.create(slug, "Tenant " + slug, "test");
		Member user = members.add(tenant, Member.USER, "user-" + slug, "User", Role.MEMBER, "test");
		Member account = members.add(tenant, Member.SERVICE_ACCOUNT, "bot-" + slug, "Bot", Role.TENANT_ADMIN, "test");
		IdentityProvider provider = providers.register(tenant, idp.settings("iso-" + slug, "realm_access.roles"),
				"test");
		String adapter = "bot-" + slug;
		adapters.register(tenant, adapter, "s3://adapters/" + slug + "/" + adapter, "ab".repeat(32),
				new PeftSummary(8, 16.0, List.of("q_proj", "v_proj"), TestWorker.BASE_MODEL), "test");
		limits.setForTenant(tenant, new Limits(100_000, null, null, null, null), "test");

		Map<String, String> credentials = new LinkedHashMap<>();
		IssuedApiKey admin = keys.issue(tenant.getId(), "admin", Set.of("admin"), null, "test");
		credentials.put("api key: admin", admin.secret());
		credentials.put("api key: member",
				keys.issue(tenant.getId(), "member", Set.copyOf(Role.MEMBER.scopes()), null, "test").secret());
		credentials.put("api key: adapters:write",
				keys.issue(tenant.getId(), "writer", Set.of("adapters:write"), null, "test").secret());
		credentials.put("api key: auditor",
				keys.issue(tenant.getId(), "audit", Set.of("audit:read"), null, "test").secret());
		credentials.put("api key: service account",
				keys.issue(tenant.getId(),
						new ApiKeyService.KeyRequest("bot", Set.of("admin"), null, null, account.getPublicId()), "test")
					.secret());
		credentials.put("jwt: tenant admin", idp.token("iso-" + slug, "alice-" + slug, "quiver-admin"));
		credentials.put("jwt: member", idp.token("iso-" + slug, "bob-" + slug, "quiver-user"));
		credentials.put("jwt: auditor", idp.token("iso-" + slug, "carol-" + slug, "quiver-auditor"));
		limits.setForKey(tenant, admin.key().getPublicId(), new Limits(100_000, null, null, null, null), "test");
		return new PopulatedTenant(tenant, user.getPublicId(), account.getPublicId(), admin.key().getPublicId(),
				provider.getPublicId(), provider.getIssuer(), adapter, credentials);
	}

	/**
	 * @param tenant the tenant
	 * @param user a member's public id
	 * @param serviceAccount a service account's public id
	 * @param apiKey the admin key's public id
	 * @param identityProvider the identity provider's public id
	 * @param issuer its issuer
	 * @param adapter an adapter's name (version v1)
	 * @param credentials a secret per role and credential type
	 */
	public record PopulatedTenant(Tenant tenant, String user, String serviceAccount, String apiKey,
			String identityProvider, String issuer, String adapter, Map<String, String> credentials) {

		public String slug() {
			return this.tenant.getSlug();
		}

		public String admin() {
			return this.credentials.get("api key: admin");
		}

		/**
		 * @return every identifier of this tenant's objects a caller could try to guess
		 */
		public List<String> identifiers() {
			return List.of(slug(), this.user, this.serviceAccount, this.apiKey, this.identityProvider, this.issuer,
					this.adapter);
		}

		@Override
		public String toString() {
			return "PopulatedTenant[" + slug() + "]";
		}

	}

}
