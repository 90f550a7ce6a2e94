package io.quiver.tenancy.adapter;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A tenant's named LoRA adapter; its weights live in immutable {@link AdapterVersion}s.
 */
@Entity
@Table(name = "adapters")
public class Adapter {

	@Id
	private UUID id;

	@Column(name = "tenant_id", nullable = false, updatable = false)
	private UUID tenantId;

	@Column(nullable = false, updatable = false)
	private String name;

	@Column(name = "default_version")
	private String defaultVersion;

	@Column(name = "created_at", nullable = false, updatable = false)
	private Instant createdAt;

	@Column(name = "created_by", nullable = false, updatable = false)
	private String createdBy;

	protected Adapter() {
	}

	Adapter(UUID tenantId, String name, Instant createdAt, String createdBy) {
		this.id = UUID.randomUUID();
		this.tenantId = tenantId;
		this.name = name;
		this.createdAt = createdAt;
		this.createdBy = createdBy;
	}

	public UUID getId() {
		return this.id;
	}

	public UUID getTenantId() {
		return this.tenantId;
	}

	public String getName() {
		return this.name;
	}

	/**
	 * @return the version a bare name resolves to, or {@code null} for the newest ready
	 * one
	 */
	public String getDefaultVersion() {
		return this.defaultVersion;
	}

	public Instant getCreatedAt() {
		return this.createdAt;
	}

	public String getCreatedBy() {
		return this.createdBy;
	}

	void setDefaultVersion(String version) {
		this.defaultVersion = version;
	}

}
