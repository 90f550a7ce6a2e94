package io.quiver.tenancy.member;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.quiver.tenancy.apikey.ApiKeyService;
import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.tenant.TenantService;
import io.quiver.tenancy.web.ConflictException;
import io.quiver.tenancy.web.NotFoundException;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Adds, changes and removes the people and service accounts of a tenant.
 */
@Service
public class MemberService {

	private final MemberRepository members;

	private final TenantService tenants;

	private final ApplicationEventPublisher events;

	private final Clock clock = Clock.systemUTC();

	private final ApiKeyService keys;

	MemberService(MemberRepository members, TenantService tenants, ApiKeyService keys,
			ApplicationEventPublisher events) {
		this.members = members;
		this.keys = keys;
		this.tenants = tenants;
		this.events = events;
	}

	/**
	 * @param tenant the tenant
	 * @param kind {@code user} or {@code service_account}
	 * @param subject the user's subject claim, or the service account's name
	 * @param displayName the name people see
	 * @param role the role
	 * @param addedBy who asks
	 * @return the new member
	 */
	@Transactional
	public Member add(Tenant tenant, String kind, String subject, String displayName, Role role, String addedBy) {
		if (!Member.USER.equals(kind) && !Member.SERVICE_ACCOUNT.equals(kind)) {
			throw new IllegalArgumentException("Unknown member kind");
		}
		if (subject == null || subject.isBlank() || subject.length() > 256) {
			throw new IllegalArgumentException("'subject' must be 1 to 256 characters");
		}
		requireGrantable(tenant, role);
		if (this.members.findByTenantIdAndKindAndSubject(tenant.getId(), kind, subject).isPresent()) {
			throw new ConflictException("A member with this subject already exists.");
		}
		String name = (displayName == null || displayName.isBlank()) ? subject : displayName;
		Member member = this.members
			.save(new Member(tenant.getId(), kind, subject, name, role, this.clock.instant(), addedBy));
		this.events.publishEvent(new MemberAdded(tenant.getId(), member.getPublicId(), kind, role.id(), addedBy));
		return member;
	}

	@Transactional
	public Member changeRole(Tenant tenant, String kind, String publicId, Role role, String changedBy) {
		requireGrantable(tenant, role);
		Member member = find(tenant, kind, publicId);
		String before = member.getRole().id();
		member.changeRole(role);
		this.events.publishEvent(new MemberRoleChanged(tenant.getId(), publicId, before, role.id(), changedBy));
		return member;
	}

	@Transactional
	public void remove(Tenant tenant, String kind, String publicId, String removedBy) {
		Member member = find(tenant, kind, publicId);
		if (Member.SERVICE_ACCOUNT.equals(kind)) {
			this.keys.revokeOwnedBy(tenant.getId(), member.getId(), removedBy);
		}
		this.members.delete(member);
		this.events.publishEvent(new MemberRemoved(tenant.getId(), publicId, removedBy));
	}

	@Transactional(readOnly = true)
	public List<Member> list(Tenant tenant, String kind) {
		return this.members.findByTenantIdAndKindOrderByCreatedAt(tenant.getId(), kind);
	}

	/**
	 * @param tenant the tenant
	 * @param kind the kind
	 * @param publicId the member's public id
	 * @return the member of that tenant
	 * @throws NotFoundException if the tenant has none such (whether or not another
	 * tenant does)
	 */
	@Transactional(readOnly = true)
	public Member find(Tenant tenant, String kind, String publicId) {
		return this.members.findByTenantIdAndPublicId(tenant.getId(), publicId)
			.filter((member) -> member.getKind().equals(kind))
			.orElseThrow(NotFoundException::new);
	}

	/**
	 * @param tenantId the tenant
	 * @param subject a user's subject as their identity provider states it
	 * @return the role recorded for that user, if any
	 */
	@Transactional(readOnly = true)
	public Optional<Role> roleOfUser(UUID tenantId, String subject) {
		return this.members.findByTenantIdAndKindAndSubject(tenantId, Member.USER, subject).map(Member::getRole);
	}

	private void requireGrantable(Tenant tenant, Role role) {
		if (role == Role.PLATFORM_ADMIN && !this.tenants.isPlatformTenant(tenant.getSlug())) {
			throw new IllegalArgumentException("The platform admin role exists only in the platform tenant");
		}
	}

}
