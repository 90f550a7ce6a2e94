package io.quiver.tenancy.apikey;

import java.time.Instant;
import java.util.UUID;

/**
 * Published when a key is rotated, inside the rotating transaction: a new key is issued
 * and the old one keeps working until {@code retiresAt}. Carries no secret.
 *
 * @param tenantId the owning tenant
 * @param previousPublicId the old key's public id
 * @param publicId the new key's public id
 * @param retiresAt when the old key stops working
 * @param rotatedBy who asked
 */
public record ApiKeyRotated(UUID tenantId, String previousPublicId, String publicId, Instant retiresAt,
		String rotatedBy) {
}
