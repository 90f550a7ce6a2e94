package io.quiver.tenancy.member;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A person (known by the subject their identity provider asserts) or a service account,
 * with one role in one tenant.
 */
@Entity
@Table(name = "members")
public class Member {

	/** A person signing in through the tenant's identity provider. */
	public static final String USER = "user";

	/** A machine client that authenticates with API keys it owns. */
	public static final String SERVICE_ACCOUNT = "service_account";

	@Id
	private UUID id;

	@Column(name = "public_id", nullable = false, updatable = false)
	private String publicId;

	@Column(name = "tenant_id", nullable = false, updatable = false)
	private UUID tenantId;

	@Column(nullable = false, updatable = false)
	private String kind;

	@Column(nullable = false, updatable = false)
	private String subject;

	@Column(name = "display_name", nullable = false)
	private String displayName;

	@Column(nullable = false)
	private String role;

	@Column(name = "created_at", nullable = false, updatable = false)
	private Instant createdAt;

	@Column(name = "created_by", nullable = false, updatable = false)
	private String createdBy;

	protected Member() {
	}

	Member(UUID tenantId, String kind, String subject, String displayName, Role role, Instant createdAt,
			String createdBy) {
		this.id = UUID.randomUUID();
		this.publicId = ((SERVICE_ACCOUNT.equals(kind)) ? "sa_" : "mem_") + PublicIds.random();
		this.tenantId = tenantId;
		this.kind = kind;
		this.subject = subject;
		this.displayName = displayName;
		this.role = role.id();
		this.createdAt = createdAt;
		this.createdBy = createdBy;
	}

	public UUID getId() {
		return this.id;
	}

	public String getPublicId() {
		return this.publicId;
	}

	public UUID getTenantId() {
		return this.tenantId;
	}

	public String getKind() {
		return this.kind;
	}

	public String getSubject() {
		return this.subject;
	}

	public String getDisplayName() {
		return this.displayName;
	}

	public Role getRole() {
		return Role.of(this.role);
	}

	public Instant getCreatedAt() {
		return this.createdAt;
	}

	public String getCreatedBy() {
		return this.createdBy;
	}

	void changeRole(Role role) {
		this.role = role.id();
	}

}
