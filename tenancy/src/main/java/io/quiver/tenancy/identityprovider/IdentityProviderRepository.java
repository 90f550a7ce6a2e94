package io.quiver.tenancy.identityprovider;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;

/**
 * Identity providers by issuer (the only way a token is matched to a tenant) and by
 * tenant.
 */
public interface IdentityProviderRepository extends JpaRepository<IdentityProvider, UUID> {

	Optional<IdentityProvider> findByIssuer(String issuer);

	Optional<IdentityProvider> findByTenantIdAndPublicId(UUID tenantId, String publicId);

	List<IdentityProvider> findByTenantIdOrderByCreatedAt(UUID tenantId);

}
