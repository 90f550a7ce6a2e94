package io.quiver.tenancy.apikey;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.quiver.tenancy.member.Member;
import io.quiver.tenancy.member.MemberRepository;
import io.quiver.tenancy.member.Scopes;
import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.tenant.TenantRepository;
import io.quiver.tenancy.tenant.TenantService;
import io.quiver.tenancy.web.Actor;
import io.quiver.tenancy.web.ForbiddenException;
import io.quiver.tenancy.web.NotFoundException;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Issues, authenticates, rotates and revokes API keys.
 */
@Service
public class ApiKeyService {

	/** The scope every key that calls {@code /v1} needs. */
	public static final String INFERENCE = Scopes.INFERENCE;

	/** The longest a rotated key keeps working next to its successor. */
	public static final Duration MAX_OVERLAP = Duration.ofDays(30);

	private final ApiKeyRepository keys;

	private final TenantRepository tenants;

	private final MemberRepository members;

	private final TenantService tenantService;

	private final ApplicationEventPublisher events;

	private final Clock clock;

	ApiKeyService(ApiKeyRepository keys, TenantRepository tenants, MemberRepository members,
			TenantService tenantService, ApplicationEventPublisher events) {
		this.keys = keys;
		this.tenants = tenants;
		this.members = members;
		this.tenantService = tenantService;
		this.events = events;
		this.clock = Clock.systemUTC();
	}

	/**
	 * Checks that someone may hand out a key with these scopes in that tenant: every
	 * scope is known, the actor holds every one, and the platform admin scope exists only
	 * in the platform tenant. The admin API and the console both ask here before they
	 * issue, so nobody grants more than they hold through either.
	 * @param owner the tenant the key is for
	 * @param actor who asks, with the scopes they hold
	 * @param scopes what the key should carry
	 * @throws IllegalArgumentException if a scope is unknown, or is the platform admin
	 * scope outside the platform tenant
	 * @throws ForbiddenException if the actor lacks one of the scopes
	 */
	public void requireGrantable(Tenant owner, Actor actor, Set<String> scopes) {
		Scopes.requireKnown(scopes);
		actor.requireAll(scopes);
		if (scopes.contains(Scopes.PLATFORM_ADMIN) && !this.tenantService.isPlatformTenant(owner.getSlug())) {
			throw new IllegalArgumentException("The platform admin scope exists only in the platform tenant");
		}
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
	 * Issues a new key, optionally owned by a service account and restricted to some
	 * models.
	 * @param tenantId the owning tenant
	 * @param request what the key is
	 * @param issuedBy who asks
	 * @return the key and its secret (shown once)
	 */
	@Transactional
	public IssuedApiKey issue(UUID tenantId, KeyRequest request, String issuedBy) {
		UUID owner = null;
		if (request.serviceAccount() != null) {
			Member account = this.members.findByTenantIdAndPublicId(tenantId, request.serviceAccount())
				.filter((member) -> Member.SERVICE_ACCOUNT.equals(member.getKind()))
				.orElseThrow(() -> new IllegalArgumentException("Unknown service account"));
			if (!account.getRole().scopes().containsAll(request.scopes())) {
				throw new IllegalArgumentException("A service account's key cannot exceed the account's role");
			}
			owner = account.getId();
		}
		return save(tenantId, request.name(), ApiKeySecret.generate(), request.scopes(), request.expiresAt(), issuedBy,
				owner, request.allowedModels());
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
		return save(tenantId, name, secret, scopes, expiresAt, issuedBy, null, null);
	}

	private IssuedApiKey save(UUID tenantId, String name, String secret, Set<String> scopes, Instant expiresAt,
			String issuedBy, UUID serviceAccountId, Set<String> allowedModels) {
		if (!ApiKeySecret.isWellFormed(secret)) {
			throw new IllegalArgumentException("Not a well-formed Quiver API key");
		}
		if (name == null || name.isBlank() || name.length() > 200) {
			throw new IllegalArgumentException("Key name must be 1 to 200 characters");
		}
		if (scopes == null || scopes.isEmpty()) {
			throw new IllegalArgumentException("A key needs at least one scope");
		}
		Scopes.requireKnown(scopes);
		if (allowedModels != null && allowedModels.stream().anyMatch((model) -> model == null || model.isBlank())) {
			throw new IllegalArgumentException("Allowed models must be names");
		}
		if (this.tenants.findById(tenantId).isEmpty()) {
			throw new IllegalArgumentException("Unknown tenant");
		}
		Instant now = this.clock.instant();
		if (expiresAt != null && !expiresAt.isAfter(now)) {
			throw new IllegalArgumentException("Expiry must lie in the future");
		}
		ApiKey key = this.keys.save(new ApiKey(tenantId, name, secret, scopes, now, issuedBy, expiresAt,
				serviceAccountId, (allowedModels == null || allowedModels.isEmpty()) ? null : allowedModels));
		this.events
			.publishEvent(new ApiKeyIssued(tenantId, key.getPublicId(), name, key.getScopes(), expiresAt, issuedBy));
		return new IssuedApiKey(key, secret);
	}

	/**
	 * Authenticates a presented secret: well-formed, known, not revoked, not expired, of
	 * an active tenant. A service account's key holds at most what the account's role
	 * grants now.
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
				.flatMap((tenant) -> principal(key, tenant)));
	}

	private Optional<ApiKeyPrincipal> principal(ApiKey key, Tenant tenant) {
		Set<String> scopes = key.getScopes();
		String account = null;
		if (key.getServiceAccountId() != null) {
			Optional<Member> owner = this.members.findById(key.getServiceAccountId());
			if (owner.isEmpty()) {
				// The account was removed: its keys die with it.
				return Optional.empty();
			}
			Set<String> capped = new LinkedHashSet<>(scopes);
			capped.retainAll(owner.get().getRole().scopes());
			scopes = Set.copyOf(capped);
			account = owner.get().getPublicId();
		}
		return Optional.of(new ApiKeyPrincipal(key.getId(), key.getPublicId(), tenant.getId(), tenant.getSlug(), scopes,
				key.getExpiresAt(), key.getAllowedModels(), account));
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

	/**
	 * Revokes every key a service account owns (before the account is removed).
	 * @param tenantId the tenant
	 * @param serviceAccountId the account's internal id
	 * @param revokedBy who asks
	 */
	@Transactional
	public void revokeOwnedBy(UUID tenantId, UUID serviceAccountId, String revokedBy) {
		Instant now = this.clock.instant();
		for (ApiKey key : this.keys.findByTenantIdAndServiceAccountId(tenantId, serviceAccountId)) {
			if (key.getRevokedAt() == null) {
				key.revoke(now);
				this.events.publishEvent(new ApiKeyRevoked(tenantId, key.getPublicId(), revokedBy));
			}
		}
	}

	/**
	 * Rotates a key: issues a successor with the same name, scopes, owner and allowed
	 * models, and lets the old key work for {@code overlap} longer, so clients can switch
	 * without downtime. The key's own limits pass to the successor in this transaction
	 * too: the limits feature copies them when it sees {@link ApiKeyRotated}.
	 * @param tenantId the tenant the caller acts for
	 * @param publicId the key to rotate
	 * @param overlap how long the old key keeps working (zero retires it now)
	 * @param rotatedBy who asks
	 * @return the successor and its secret (shown once)
	 * @throws NotFoundException if the tenant has no usable key of that id
	 */
	@Transactional
	public IssuedApiKey rotate(UUID tenantId, String publicId, Duration overlap, String rotatedBy) {
		if (overlap.isNegative() || overlap.compareTo(MAX_OVERLAP) > 0) {
			throw new IllegalArgumentException("The overlap must lie between 0 and " + MAX_OVERLAP.toDays() + " days");
		}
		Instant now = this.clock.instant();
		ApiKey old = this.keys.findByTenantIdAndPublicId(tenantId, publicId)
			.filter((key) -> key.isUsableAt(now) && key.getReplacedBy() == null)
			.orElseThrow(NotFoundException::new);
		IssuedApiKey successor = save(tenantId, old.getName(), ApiKeySecret.generate(), old.getScopes(),
				old.getExpiresAt(), rotatedBy, old.getServiceAccountId(), old.getAllowedModels());
		Instant retiresAt = now.plus(overlap);
		old.replacedBy(successor.key().getPublicId(), retiresAt);
		this.events.publishEvent(
				new ApiKeyRotated(tenantId, publicId, successor.key().getPublicId(), old.getExpiresAt(), rotatedBy));
		return successor;
	}

	/**
	 * @param tenantId the tenant the caller acts for
	 * @param publicId the key's public id
	 * @return the key of that tenant
	 * @throws NotFoundException if the tenant has none such
	 */
	@Transactional(readOnly = true)
	public ApiKey find(UUID tenantId, String publicId) {
		return this.keys.findByTenantIdAndPublicId(tenantId, publicId).orElseThrow(NotFoundException::new);
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

	/**
	 * What a new key should be.
	 *
	 * @param name a name people recognise
	 * @param scopes what it may do
	 * @param expiresAt when it stops working, or {@code null}
	 * @param allowedModels models and adapters it may use; {@code null} or empty for all
	 * @param serviceAccount the owning service account's public id, or {@code null}
	 */
	public record KeyRequest(String name, Set<String> scopes, Instant expiresAt, Set<String> allowedModels,
			String serviceAccount) {
	}

}
