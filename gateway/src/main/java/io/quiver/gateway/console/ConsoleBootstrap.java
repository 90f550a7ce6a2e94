package io.quiver.gateway.console;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

import io.quiver.gateway.devstack.OwnerOnlyFiles;
import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.tenant.TenantService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Gives the first tenant a local {@code admin} account, so a new installation can be
 * managed in a browser at once. Its password comes from
 * {@code QUIVER_BOOTSTRAP_ADMIN_PASSWORD} (which also resets it on a later start), or is
 * generated once and left in {@code ${quiver.home}/bootstrap-admin-password}, readable by
 * this user only; it is never logged.
 */
@Component
class ConsoleBootstrap {

	static final String USERNAME = "admin";

	private static final Logger log = LoggerFactory.getLogger(ConsoleBootstrap.class);

	private final ConsoleAccounts accounts;

	private final TenantService tenants;

	private final ConsoleProperties properties;

	private final String tenantSlug;

	private final Path home;

	ConsoleBootstrap(ConsoleAccounts accounts, TenantService tenants, ConsoleProperties properties,
			@Value("${quiver.bootstrap.tenant:default}") String tenantSlug,
			@Value("${quiver.home:.quiver}") String home) {
		this.accounts = accounts;
		this.tenants = tenants;
		this.properties = properties;
		this.tenantSlug = tenantSlug;
		this.home = Path.of(home).toAbsolutePath();
	}

	/**
	 * Runs once the application is ready, that is after the tenant bootstrap created the
	 * first tenant.
	 */
	@EventListener(ApplicationReadyEvent.class)
	void ensureAdmin() {
		String configured = this.properties.bootstrapAdminPassword();
		boolean hasConfigured = configured != null && !configured.isBlank();
		Optional<ConsoleAccount> existing = this.accounts.findByUsername(USERNAME);
		if (existing.isPresent()) {
			if (hasConfigured && !this.accounts.passwordMatches(existing.get(), configured)) {
				this.accounts.changePassword(existing.get().id(), configured);
				log.info("Set the console's '{}' password from the configuration", USERNAME);
			}
			return;
		}
		Optional<Tenant> tenant = this.tenants.findBySlug(this.tenantSlug);
		if (tenant.isEmpty()) {
			log.info("No tenant '{}', so no console bootstrap admin was created", this.tenantSlug);
			return;
		}
		String password = hasConfigured ? configured : generatePassword();
		this.accounts.create(tenant.get().getId(), USERNAME, password, ConsoleRole.PLATFORM_ADMIN);
		if (hasConfigured) {
			log.info("Created the console's '{}' account with the configured password", USERNAME);
		}
		else {
			Path file = OwnerOnlyFiles.write(this.home.resolve("bootstrap-admin-password"), password);
			log.info("Created the console's '{}' account; its password is in {} (readable by this user only,"
					+ " shown nowhere else)", USERNAME, file);
		}
	}

	private static String generatePassword() {
		byte[] random = new byte[18];
		new SecureRandom().nextBytes(random);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
	}

}
