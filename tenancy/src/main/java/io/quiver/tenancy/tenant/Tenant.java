package io.quiver.tenancy.tenant;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A tenant: a team, product or customer whose keys, adapters and usage are isolated from
 * every other tenant's.
 */
@Entity
@Table(name = "tenants")
public class Tenant {

	@Id
	private UUID id;

	@Column(nullable = false, updatable = false)
	private String slug;

	@Column(name = "display_name", nullable = false)
	private String displayName;

	@Column(nullable = false)
	private String status;

	@Column(name = "created_at", nullable = false, updatable = false)
	private Instant createdAt;

	protected Tenant() {
	}

	Tenant(UUID id, String slug, String displayName, Instant createdAt) {
		this.id = id;
		this.slug = slug;
		this.displayName = displayName;
		this.status = "active";
		this.createdAt = createdAt;
	}

	public UUID getId() {
		return this.id;
	}

	/**
	 * @return the immutable public handle, e.g. {@code acme}
	 */
	public String getSlug() {
		return this.slug;
	}

	public String getDisplayName() {
		return this.displayName;
	}

	public boolean isActive() {
		return "active".equals(this.status);
	}

	public Instant getCreatedAt() {
		return this.createdAt;
	}

}
