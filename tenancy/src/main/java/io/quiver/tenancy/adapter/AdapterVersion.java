package io.quiver.tenancy.adapter;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One immutable version of an adapter: where its PEFT files are, their digest, and the
 * shape facts a worker and the router need.
 */
@Entity
@Table(name = "adapter_versions")
public class AdapterVersion {

	/** Served. */
	public static final String READY = "ready";

	/** Kept for the record, never served. */
	public static final String DISABLED = "disabled";

	@Id
	private UUID id;

	@Column(name = "adapter_id", nullable = false, updatable = false)
	private UUID adapterId;

	@Column(name = "tenant_id", nullable = false, updatable = false)
	private UUID tenantId;

	@Column(nullable = false, updatable = false)
	private String version;

	@Column(nullable = false, updatable = false)
	private int number;

	@Column(name = "source_uri", nullable = false, updatable = false)
	private String sourceUri;

	@Column(nullable = false, updatable = false)
	private String sha256;

	@Column(nullable = false, updatable = false)
	private int rank;

	@Column(updatable = false)
	private Double alpha;

	@JdbcTypeCode(SqlTypes.ARRAY)
	@Column(name = "target_modules", nullable = false, updatable = false, columnDefinition = "text[]")
	private String[] targetModules;

	@Column(name = "base_model", nullable = false, updatable = false)
	private String baseModel;

	@Column(nullable = false)
	private String status;

	@Column(name = "size_bytes", updatable = false)
	private Long sizeBytes;

	@Column(name = "registered_at", nullable = false, updatable = false)
	private Instant registeredAt;

	@Column(name = "registered_by", nullable = false, updatable = false)
	private String registeredBy;

	protected AdapterVersion() {
	}

	AdapterVersion(Adapter adapter, int number, String sourceUri, String sha256, PeftSummary peft, Long sizeBytes,
			Instant registeredAt, String registeredBy) {
		this.id = UUID.randomUUID();
		this.adapterId = adapter.getId();
		this.tenantId = adapter.getTenantId();
		this.number = number;
		this.version = "v" + number;
		this.sourceUri = sourceUri;
		this.sha256 = sha256;
		this.rank = peft.rank();
		this.alpha = peft.alpha();
		this.targetModules = peft.targetModules().toArray(String[]::new);
		this.baseModel = peft.baseModel();
		this.status = READY;
		this.sizeBytes = sizeBytes;
		this.registeredAt = registeredAt;
		this.registeredBy = registeredBy;
	}

	public UUID getId() {
		return this.id;
	}

	public UUID getAdapterId() {
		return this.adapterId;
	}

	public UUID getTenantId() {
		return this.tenantId;
	}

	public String getVersion() {
		return this.version;
	}

	public int getNumber() {
		return this.number;
	}

	public String getSourceUri() {
		return this.sourceUri;
	}

	public String getSha256() {
		return this.sha256;
	}

	public int getRank() {
		return this.rank;
	}

	public Double getAlpha() {
		return this.alpha;
	}

	public List<String> getTargetModules() {
		return List.of(this.targetModules);
	}

	public String getBaseModel() {
		return this.baseModel;
	}

	public String getStatus() {
		return this.status;
	}

	public boolean isReady() {
		return READY.equals(this.status);
	}

	public Long getSizeBytes() {
		return this.sizeBytes;
	}

	public Instant getRegisteredAt() {
		return this.registeredAt;
	}

	public String getRegisteredBy() {
		return this.registeredBy;
	}

	void setStatus(String status) {
		this.status = status;
	}

}
