package io.quiver.tenancy.apikey;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;

/**
 * API keys, looked up by the hash of the presented secret (a unique index).
 */
public interface ApiKeyRepository extends JpaRepository<ApiKey, UUID> {

	Optional<ApiKey> findBySecretHash(byte[] secretHash);

	Optional<ApiKey> findByTenantIdAndPublicId(UUID tenantId, String publicId);

	List<ApiKey> findByTenantIdOrderByCreatedAtDesc(UUID tenantId);

	List<ApiKey> findByTenantIdAndServiceAccountId(UUID tenantId, UUID serviceAccountId);

	@Modifying
	@Query("update ApiKey k set k.lastUsedAt = :at where k.id in :ids and (k.lastUsedAt is null or k.lastUsedAt < :at)")
	int markUsed(Collection<UUID> ids, Instant at);

}
