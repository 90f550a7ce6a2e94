package io.quiver.tenancy.adapter;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;

/**
 * Versions of adapters, newest first.
 */
public interface AdapterVersionRepository extends JpaRepository<AdapterVersion, UUID> {

	List<AdapterVersion> findByAdapterIdOrderByNumberDesc(UUID adapterId);

	List<AdapterVersion> findByTenantIdAndStatusOrderByNumberDesc(UUID tenantId, String status);

	Optional<AdapterVersion> findByAdapterIdAndVersion(UUID adapterId, String version);

}
