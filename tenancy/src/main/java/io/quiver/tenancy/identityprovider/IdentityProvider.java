package io.quiver.tenancy.identityprovider;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.quiver.tenancy.member.PublicIds;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.MapKeyColumn;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A tenant's own OpenID Connect / OAuth2 issuer: tokens it signs (with a key published at
 * {@link #getJwksUri()}) for {@link #getAudience()} authenticate people of that tenant.
 */
@Entity
@Table(name = "identity_providers")
public class IdentityProvider {

	@Id
	private UUID id;

	@Column(name = "public_id", nullable = false, updatable = false)
	private String publicId;

	@Column(name = "tenant_id", nullable = false, updatable = false)
	private UUID tenantId;

	@Column(nullable = false)
	private String issuer;

	@Column(name = "jwks_uri", nullable = false)
	private String jwksUri;

	@Column(nullable = false)
	private String audience;

	@JdbcTypeCode(SqlTypes.ARRAY)
	@Column(nullable = false, columnDefinition = "text[]")
	private String[] algorithms;

	@Column(name = "subject_claim", nullable = false)
	private String subjectClaim;

	@Column(name = "roles_claim", nullable = false)
	private String rolesClaim;

	@ElementCollection(fetch = FetchType.EAGER)
	@CollectionTable(name = "identity_provider_role_mappings", joinColumns = @JoinColumn(name = "identity_provider_id"))
	@MapKeyColumn(name = "claim_value")
	@Column(name = "role", nullable = false)
	private Map<String, String> roleMappings = new LinkedHashMap<>();

	@Column(name = "console_client_id")
	private String consoleClientId;

	@Column(name = "console_client_secret_ref")
	private String consoleClientSecretRef;

	@Column(name = "created_at", nullable = false, updatable = false)
	private Instant createdAt;

	@Column(name = "created_by", nullable = false, updatable = false)
	private String createdBy;

	protected IdentityProvider() {
	}

	IdentityProvider(UUID tenantId, IdentityProviderSettings settings, Instant createdAt, String createdBy) {
		this.id = UUID.randomUUID();
		this.publicId = "idp_" + PublicIds.random();
		this.tenantId = tenantId;
		this.createdAt = createdAt;
		this.createdBy = createdBy;
		apply(settings);
	}

	void apply(IdentityProviderSettings settings) {
		this.issuer = settings.issuer();
		this.jwksUri = settings.jwksUri();
		this.audience = settings.audience();
		this.algorithms = settings.algorithms().toArray(String[]::new);
		this.subjectClaim = settings.subjectClaim();
		this.rolesClaim = settings.rolesClaim();
		this.roleMappings.clear();
		this.roleMappings.putAll(settings.roleMappings());
		this.consoleClientId = settings.consoleClientId();
		this.consoleClientSecretRef = settings.consoleClientSecretRef();
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

	public String getIssuer() {
		return this.issuer;
	}

	public String getJwksUri() {
		return this.jwksUri;
	}

	public String getAudience() {
		return this.audience;
	}

	public Set<String> getAlgorithms() {
		return Set.of(this.algorithms);
	}

	public String getSubjectClaim() {
		return this.subjectClaim;
	}

	public String getRolesClaim() {
		return this.rolesClaim;
	}

	public Map<String, String> getRoleMappings() {
		return Map.copyOf(this.roleMappings);
	}

	/**
	 * @return the console's OpenID Connect client id at this provider, or {@code null}
	 * when people of the tenant cannot sign in to the console with it
	 */
	public String getConsoleClientId() {
		return this.consoleClientId;
	}

	/**
	 * @return the name of the environment variable or configuration property holding that
	 * client's secret, or {@code null} for a public client (PKCE only)
	 */
	public String getConsoleClientSecretRef() {
		return this.consoleClientSecretRef;
	}

	public Instant getCreatedAt() {
		return this.createdAt;
	}

	public String getCreatedBy() {
		return this.createdBy;
	}

	/**
	 * @return the settings as they are now
	 */
	public IdentityProviderSettings settings() {
		return new IdentityProviderSettings(this.issuer, this.jwksUri, this.audience, List.of(this.algorithms),
				this.subjectClaim, this.rolesClaim, getRoleMappings(), this.consoleClientId,
				this.consoleClientSecretRef);
	}

}
