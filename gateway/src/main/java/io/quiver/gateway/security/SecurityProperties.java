package io.quiver.gateway.security;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How credentials are checked.
 *
 * @param apiKeyCacheTtl how long a verified key is trusted without asking the database
 * again; a revocation takes at most this long to reach every gateway replica (the replica
 * that revokes forgets at once)
 * @param apiKeyCacheSize the most keys held in that cache
 * @param lastUsedFlushInterval how often keys' "last used" times are written
 * @param identityProviderCacheTtl how long an issuer's registration is trusted without
 * asking the database again (also for issuers that are not registered)
 * @param jwksTimeout connect and read timeout when fetching an identity provider's keys
 * @param clockSkew tolerance when checking a token's {@code exp} and {@code nbf}
 * @param failureLimit failed authentications one source may make per
 * {@code failureWindow} before it is refused with 429
 * @param failureWindow the window those failures are counted in
 */
@ConfigurationProperties("quiver.security")
record SecurityProperties(@DefaultValue("10s") Duration apiKeyCacheTtl, @DefaultValue("100000") int apiKeyCacheSize,
		@DefaultValue("15s") Duration lastUsedFlushInterval, @DefaultValue("30s") Duration identityProviderCacheTtl,
		@DefaultValue("3s") Duration jwksTimeout, @DefaultValue("30s") Duration clockSkew,
		@DefaultValue("20") int failureLimit, @DefaultValue("1m") Duration failureWindow) {
}
