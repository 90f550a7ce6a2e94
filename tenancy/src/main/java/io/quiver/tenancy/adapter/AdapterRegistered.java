package io.quiver.tenancy.adapter;

import java.util.UUID;

/**
 * Published when a new adapter version is registered (uploaded or by URI), inside that
 * transaction.
 *
 * @param tenantId the tenant
 * @param name the adapter's name
 * @param version the new version
 * @param sourceUri where it is stored
 * @param sha256 its digest
 * @param registeredBy who asked
 */
public record AdapterRegistered(UUID tenantId, String name, String version, String sourceUri, String sha256,
		String registeredBy) {
}
