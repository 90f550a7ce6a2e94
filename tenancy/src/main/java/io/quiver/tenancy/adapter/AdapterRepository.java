package io.quiver.tenancy.adapter;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.persistence.LockModeType;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;

/**
 * Adapters, always inside one tenant.
 */
public interface AdapterRepository extends JpaRepository<Adapter, UUID> {

	Optional<Adapter> findByTenantIdAndName(UUID tenantId, String name);

	List<Adapter> findByTenantIdOrderByName(UUID tenantId);

	/**
	 * Creates an adapter unless the tenant has one of that name already; of two
	 * concurrent callers, neither fails.
	 * @return 1 if it was created
	 */
	@Modifying
	@Query(value = """
			insert into adapters (id, tenant_id, name, created_at, created_by)
			values (:id, :tenantId, :name, :createdAt, :createdBy)
			on conflict (tenant_id, name) do nothing""", nativeQuery = true)
	int insertIfAbsent(UUID id, UUID tenantId, String name, Instant createdAt, String createdBy);

	/**
	 * Finds an adapter and locks its row until the transaction ends, so that versions are
	 * numbered one at a time.
	 */
	@Lock(LockModeType.PESSIMISTIC_WRITE)
	@Query("select a from Adapter a where a.tenantId = :tenantId and a.name = :name")
	Optional<Adapter> lockByTenantIdAndName(UUID tenantId, String name);

}
