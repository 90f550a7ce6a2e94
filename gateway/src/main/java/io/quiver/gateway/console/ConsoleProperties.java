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
 * @param maxSessionAge how long a signed-in session lives at most, however busy
 * @param signInTimeout how long a sign-in with an organisation's identity provider may
 * take, from leaving the console until the provider sends the browser back
 * @param identityProviderTimeout connect and read timeout when the console asks an
 * identity provider for its discovery document or a token
 */
@ConfigurationProperties("quiver.console")
@Validated
record ConsoleProperties(String bootstrapAdminPassword, @DefaultValue("30m") Duration idleTimeout,
		@DefaultValue("12h") Duration maxSessionAge, @DefaultValue("10m") Duration signInTimeout,
		@DefaultValue("5s") Duration identityProviderTimeout) {

	@Override
	public String toString() {
		return "ConsoleProperties[bootstrapAdminPassword=" + ((this.bootstrapAdminPassword != null) ? "****" : null)
				+ ", idleTimeout=" + this.idleTimeout + ", maxSessionAge=" + this.maxSessionAge + ", signInTimeout="
				+ this.signInTimeout + ", identityProviderTimeout=" + this.identityProviderTimeout + "]";
	}

}
