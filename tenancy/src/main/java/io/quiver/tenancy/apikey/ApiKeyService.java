package io.quiver.tenancy.apikey;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.tenant.TenantRepository;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Issues, authenticates and revokes API keys.
 */
@Service
public class ApiKeyService {

	/** The scope every key that calls {@code /v1} needs. */
	public static final String INFERENCE = "inference";

	private final ApiKeyRepository keys;

	private final TenantRepository tenants;

	private final ApplicationEventPublisher events;

	private final Clock clock;

	public ApiKeyService(ApiKeyRepository keys, TenantRepository tenants, ApplicationEventPublisher events) {
		this.keys = keys;
		this.tenants = tenants;
		this.events = events;
		this.clock = Clock.systemUTC();
	}

	/**
	 * Issues a new key with a fresh random secret.
	 * @param tenantId the owning tenant
	 * @param name a name people recognise
	 * @param scopes what it may do
	 * @param expiresAt when it stops working, or {@code null}
	 * @param issuedBy who asks
	 * @return the key and its secret (shown once)
	 */
	@Transactional
	public IssuedApiKey issue(UUID tenantId, String name, Set<String> scopes, Instant expiresAt, String issuedBy) {
		return register(tenantId, name, ApiKeySecret.generate(), scopes, expiresAt, issuedBy);
	}

	/**
	 * Registers a key whose secret was generated elsewhere (the local stack's bootstrap
	 * key).
	 * @param tenantId the owning tenant
	 * @param name a name people recognise
	 * @param secret a well-formed secret
	 * @param scopes what it may do
	 * @param expiresAt when it stops working, or {@code null}
	 * @param issuedBy who asks
	 * @return the key and its secret
	 */
	@Transactional
	public IssuedApiKey register(UUID tenantId, String name, String secret, Set<String> scopes, Instant expiresAt,
			String issuedBy) {
		if (!ApiKeySecret.isWellFormed(secret)) {
			throw new IllegalArgumentException("Not a well-formed Quiver API key");
		}
		if (name == null || name.isBlank() || name.length() > 200) {
			throw new IllegalArgumentException("Key name must be 1 to 200 characters");
		}
		if (this.tenants.findById(tenantId).isEmpty()) {
			throw new IllegalArgumentException("Unknown tenant");
		}
		Instant now = this.clock.instant();
		if (expiresAt != null && !expiresAt.isAfter(now)) {
			throw new IllegalArgumentException("Expiry must lie in the future");
		}
		ApiKey key = this.keys.save(new ApiKey(tenantId, name, secret, scopes, now, issuedBy, expiresAt));
		this.events
			.publishEvent(new ApiKeyIssued(tenantId, key.getPublicId(), name, key.getScopes(), expiresAt, issuedBy));
		return new IssuedApiKey(key, secret);
	}

	/**
	 * Authenticates a presented secret: well-formed, known, not revoked, not expired, of
	 * an active tenant.
	 * @param presented what the caller sent after {@code Bearer}
	 * @return the principal, or empty for any failure (callers must not tell the failures
	 * apart to the client)
	 */
	@Transactional(readOnly = true)
	public Optional<ApiKeyPrincipal> authenticate(String presented) {
		if (!ApiKeySecret.isWellFormed(presented)) {
			return Optional.empty();
		}
		Instant now = this.clock.instant();
		return this.keys.findBySecretHash(ApiKeySecret.hash(presented))
			.filter((key) -> key.isUsableAt(now))
			.flatMap((key) -> this.tenants.findById(key.getTenantId())
				.filter(Tenant::isActive)
				.map((tenant) -> new ApiKeyPrincipal(key.getId(), key.getPublicId(), tenant.getId(), tenant.getSlug(),
						key.getScopes(), key.getExpiresAt())));
	}

	/**
	 * Revokes a key of the given tenant. A key of another tenant is indistinguishable
	 * from a missing one.
	 * @param tenantId the tenant the caller acts for
	 * @param publicId the key's public id
	 * @param revokedBy who asks
	 * @return whether such a key existed
	 */
	@Transactional
	public boolean revoke(UUID tenantId, String publicId, String revokedBy) {
		Optional<ApiKey> key = this.keys.findByTenantIdAndPublicId(tenantId, publicId);
		key.ifPresent((found) -> {
			found.revoke(this.clock.instant());
			this.events.publishEvent(new ApiKeyRevoked(tenantId, publicId, revokedBy));
		});
		return key.isPresent();
	}

	@Transactional(readOnly = true)
	public List<ApiKey> list(UUID tenantId) {
		return this.keys.findByTenantIdOrderByCreatedAtDesc(tenantId);
	}

	/**
	 * Records that keys were used, in one statement for a batch collected off the request
	 * path.
	 * @param keyIds the keys
	 * @param at when
	 */
	@Transactional
	public void markUsed(Collection<UUID> keyIds, Instant at) {
		if (!keyIds.isEmpty()) {
			this.keys.markUsed(keyIds, at);
		}
	}

}
