package io.quiver.tenancy.adapter;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;

/**
 * Adapters, always inside one tenant.
 */
public interface AdapterRepository extends JpaRepository<Adapter, UUID> {

	Optional<Adapter> findByTenantIdAndName(UUID tenantId, String name);

	List<Adapter> findByTenantIdOrderByName(UUID tenantId);

}
