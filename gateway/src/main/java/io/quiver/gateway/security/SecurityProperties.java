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
 */
@ConfigurationProperties("quiver.security")
record SecurityProperties(@DefaultValue("10s") Duration apiKeyCacheTtl, @DefaultValue("100000") int apiKeyCacheSize) {
}
