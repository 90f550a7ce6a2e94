package io.quiver.tenancy.tenant;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Tenancy-wide settings.
 *
 * @param platformTenant the tenant whose members and keys may hold the platform admin
 * role; no other tenant can grant it
 */
@ConfigurationProperties("quiver.tenancy")
record TenancyProperties(@DefaultValue("default") String platformTenant) {
}
