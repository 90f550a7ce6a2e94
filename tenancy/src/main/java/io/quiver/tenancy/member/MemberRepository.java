package io.quiver.tenancy.member;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;

/**
 * Members, always looked up inside one tenant.
 */
public interface MemberRepository extends JpaRepository<Member, UUID> {

	Optional<Member> findByTenantIdAndPublicId(UUID tenantId, String publicId);

	Optional<Member> findByTenantIdAndKindAndSubject(UUID tenantId, String kind, String subject);

	List<Member> findByTenantIdAndKindOrderByCreatedAt(UUID tenantId, String kind);

}
