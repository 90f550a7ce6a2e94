package io.quiver.gateway.devstack;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The tenant and key created when the gateway starts on an empty database.
 *
 * @param tenant the first tenant's slug
 * @param apiKey a key secret to register for that tenant (e.g. from the environment, so a
 * local stack keeps one key across restarts); when absent, a key is generated on first
 * start and logged once
 */
@ConfigurationProperties("quiver.bootstrap")
record BootstrapProperties(@DefaultValue("default") String tenant, String apiKey) {

	@Override
	public String toString() {
		return "BootstrapProperties[tenant=" + this.tenant + ", apiKey=" + ((this.apiKey != null) ? "****" : null)
				+ "]";
	}

}
