package io.quiver.tenancy.apikey;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * An API key's record. The secret itself is never stored: only its SHA-256
 * ({@link ApiKeySecret#hash}).
 */
@Entity
@Table(name = "api_keys")
public class ApiKey {

	@Id
	private UUID id;

	@Column(name = "tenant_id", nullable = false, updatable = false)
	private UUID tenantId;

	@Column(name = "public_id", nullable = false, updatable = false)
	private String publicId;

	@Column(nullable = false)
	private String name;

	@Column(name = "secret_hash", nullable = false, updatable = false)
	private byte[] secretHash;

	@Column(name = "display_prefix", nullable = false, updatable = false)
	private String displayPrefix;

	@JdbcTypeCode(SqlTypes.ARRAY)
	@Column(nullable = false, columnDefinition = "text[]")
	private String[] scopes;

	@Column(name = "created_at", nullable = false, updatable = false)
	private Instant createdAt;

	@Column(name = "created_by", nullable = false, updatable = false)
	private String createdBy;

	@Column(name = "expires_at")
	private Instant expiresAt;

	@Column(name = "last_used_at")
	private Instant lastUsedAt;

	@Column(name = "revoked_at")
	private Instant revokedAt;

	@Column(name = "service_account_id", updatable = false)
	private UUID serviceAccountId;

	@JdbcTypeCode(SqlTypes.ARRAY)
	@Column(name = "allowed_models", columnDefinition = "text[]")
	private String[] allowedModels;

	@Column(name = "replaced_by")
	private String replacedBy;

	protected ApiKey() {
	}

	ApiKey(UUID tenantId, String name, String secret, Set<String> scopes, Instant createdAt, String createdBy,
			Instant expiresAt) {
		this.id = UUID.randomUUID();
		this.tenantId = tenantId;
		this.publicId = ApiKeySecret.newPublicId();
		this.name = name;
		this.secretHash = ApiKeySecret.hash(secret);
		this.displayPrefix = ApiKeySecret.displayPrefix(secret);
		this.scopes = scopes.toArray(String[]::new);
		this.createdAt = createdAt;
		this.createdBy = createdBy;
		this.expiresAt = expiresAt;
	}

	ApiKey(UUID tenantId, String name, String secret, Set<String> scopes, Instant createdAt, String createdBy,
			Instant expiresAt, UUID serviceAccountId, Set<String> allowedModels) {
		this(tenantId, name, secret, scopes, createdAt, createdBy, expiresAt);
		this.serviceAccountId = serviceAccountId;
		this.allowedModels = (allowedModels != null) ? allowedModels.toArray(String[]::new) : null;
	}

	public UUID getId() {
		return this.id;
	}

	public UUID getTenantId() {
		return this.tenantId;
	}

	public String getPublicId() {
		return this.publicId;
	}

	public String getName() {
		return this.name;
	}

	public String getDisplayPrefix() {
		return this.displayPrefix;
	}

	public Set<String> getScopes() {
		return Set.of(this.scopes);
	}

	public Instant getCreatedAt() {
		return this.createdAt;
	}

	public String getCreatedBy() {
		return this.createdBy;
	}

	public Instant getExpiresAt() {
		return this.expiresAt;
	}

	public Instant getLastUsedAt() {
		return this.lastUsedAt;
	}

	public Instant getRevokedAt() {
		return this.revokedAt;
	}

	/**
	 * @return the owning service account's id, or {@code null} for a tenant key
	 */
	public UUID getServiceAccountId() {
		return this.serviceAccountId;
	}

	/**
	 * @return the models and adapters this key may use; empty means all of its tenant's
	 */
	public Set<String> getAllowedModels() {
		return (this.allowedModels != null) ? Set.of(this.allowedModels) : Set.of();
	}

	/**
	 * @return the public id of the key that replaced this one, or {@code null}
	 */
	public String getReplacedBy() {
		return this.replacedBy;
	}

	/**
	 * @param now the current time
	 * @return whether the key may be used now
	 */
	public boolean isUsableAt(Instant now) {
		return this.revokedAt == null && (this.expiresAt == null || now.isBefore(this.expiresAt));
	}

	void replacedBy(String publicId, Instant retireAt) {
		this.replacedBy = publicId;
		if (this.expiresAt == null || retireAt.isBefore(this.expiresAt)) {
			this.expiresAt = retireAt;
		}
	}

	void revoke(Instant at) {
		if (this.revokedAt == null) {
			this.revokedAt = at;
		}
	}

}
