package io.quiver.gateway.devstack;

import java.nio.file.Path;
import java.util.Set;

import io.quiver.tenancy.apikey.ApiKeyService;
import io.quiver.tenancy.apikey.IssuedApiKey;
import io.quiver.tenancy.member.Scopes;
import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.tenant.TenantService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * On an empty database, creates the first tenant and an API key with every scope, so a
 * new installation can be used at once. A configured key
 * ({@code quiver.bootstrap.api-key}) is registered if it is not known yet.
 */
@Component
class Bootstrap implements ApplicationRunner {

	private static final Logger log = LoggerFactory.getLogger(Bootstrap.class);

	/**
	 * The first tenant is the platform tenant (by default), so its first key may create
	 * and administer every tenant.
	 */
	static final Set<String> ALL_SCOPES = Scopes.ALL;

	private final BootstrapProperties properties;

	private final TenantService tenants;

	private final ApiKeyService keys;

	private final TransactionTemplate transaction;

	private final Path home;

	Bootstrap(BootstrapProperties properties, TenantService tenants, ApiKeyService keys,
			TransactionTemplate transaction, @Value("${quiver.home:.quiver}") String home) {
		this.home = Path.of(home).toAbsolutePath();
		this.properties = properties;
		this.tenants = tenants;
		this.keys = keys;
		this.transaction = transaction;
	}

	@Override
	public void run(ApplicationArguments args) {
		this.transaction.executeWithoutResult((status) -> {
			boolean empty = this.tenants.count() == 0;
			Tenant tenant = this.tenants.findBySlug(this.properties.tenant())
				.orElseGet(() -> empty ? this.tenants.create(this.properties.tenant(), "Default tenant", "bootstrap")
						: null);
			if (tenant == null) {
				return;
			}
			String configured = this.properties.apiKey();
			if (configured != null && !configured.isBlank()) {
				if (this.keys.authenticate(configured).isEmpty()) {
					IssuedApiKey issued = this.keys.register(tenant.getId(), "bootstrap", configured, ALL_SCOPES, null,
							"bootstrap");
					log.info("Registered the configured bootstrap API key {} for tenant '{}'",
							issued.key().getPublicId(), tenant.getSlug());
				}
			}
			else if (empty) {
				IssuedApiKey issued = this.keys.issue(tenant.getId(), "bootstrap", ALL_SCOPES, null, "bootstrap");
				Path file = OwnerOnlyFiles.write(this.home.resolve("bootstrap-api-key"), issued.secret());
				log.info(
						"Created tenant '{}' and bootstrap API key {}; its secret is in {} (readable by this user only,"
								+ " shown nowhere else)",
						tenant.getSlug(), issued.key().getPublicId(), file);
			}
		});
	}

}
