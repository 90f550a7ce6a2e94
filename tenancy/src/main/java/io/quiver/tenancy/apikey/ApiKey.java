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
	 * @param now the current time
	 * @return whether the key may be used now
	 */
	public boolean isUsableAt(Instant now) {
		return this.revokedAt == null && (this.expiresAt == null || now.isBefore(this.expiresAt));
	}

	void revoke(Instant at) {
		if (this.revokedAt == null) {
			this.revokedAt = at;
		}
	}

}
