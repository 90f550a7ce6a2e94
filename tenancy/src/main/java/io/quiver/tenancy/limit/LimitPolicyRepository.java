package io.quiver.tenancy.limit;

import java.util.Optional;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

/**
 * Stored limits of tenants and keys.
 */
public interface LimitPolicyRepository extends JpaRepository<LimitPolicy, UUID> {

	@Query("select p from LimitPolicy p where p.tenantId = :tenantId and p.apiKeyId is null")
	Optional<LimitPolicy> findForTenant(UUID tenantId);

	@Query("select p from LimitPolicy p, ApiKey k where p.apiKeyId = k.id"
			+ " and k.tenantId = :tenantId and k.publicId = :publicId")
	Optional<LimitPolicy> findForKey(UUID tenantId, String publicId);

	Optional<LimitPolicy> findByTenantIdAndApiKeyId(UUID tenantId, UUID apiKeyId);

}
