package io.quiver.gateway.console;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The console's settings.
 *
 * @param bootstrapAdminPassword the password of the local {@code admin} account (from
 * {@code QUIVER_BOOTSTRAP_ADMIN_PASSWORD}); when absent, one is generated at first start
 * and written to {@code ${quiver.home}/bootstrap-admin-password}, readable by the owner
 * only
 * @param idleTimeout how long a signed-in session lives without a request
 */
@ConfigurationProperties("quiver.console")
@Validated
record ConsoleProperties(String bootstrapAdminPassword, @DefaultValue("30m") Duration idleTimeout) {

	@Override
	public String toString() {
		return "ConsoleProperties[bootstrapAdminPassword=" + ((this.bootstrapAdminPassword != null) ? "****" : null)
				+ ", idleTimeout=" + this.idleTimeout + "]";
	}

}
