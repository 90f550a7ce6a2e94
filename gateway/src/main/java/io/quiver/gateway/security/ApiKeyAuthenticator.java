package io.quiver.gateway.security;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.quiver.tenancy.apikey.ApiKeyPrincipal;
import io.quiver.tenancy.apikey.ApiKeyRevoked;
import io.quiver.tenancy.apikey.ApiKeyRotated;
import io.quiver.tenancy.apikey.ApiKeySecret;
import io.quiver.tenancy.apikey.ApiKeyService;

import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Verifies API keys with a short-lived cache in front of the database, so the request
 * path does not wait on PostgreSQL when the cache is warm. The cache is keyed by the
 * secret's hash, never by the secret; failures are not cached, so a newly issued key
 * works at once.
 */
@Component
class ApiKeyAuthenticator {

	private final ApiKeyService keys;

	private final long ttlNanos;

	private final int maxSize;

	private final ConcurrentHashMap<ByteBuffer, Entry> cache = new ConcurrentHashMap<>();

	private final ScopePolicy scopes;

	private final LastUsedRecorder lastUsed;

	ApiKeyAuthenticator(ApiKeyService keys, SecurityProperties properties, ScopePolicy scopes,
			LastUsedRecorder lastUsed) {
		this.keys = keys;
		this.scopes = scopes;
		this.lastUsed = lastUsed;
		this.ttlNanos = properties.apiKeyCacheTtl().toNanos();
		this.maxSize = properties.apiKeyCacheSize();
	}

	/**
	 * @param presented the bearer token a caller sent
	 * @return the caller, or empty when the key is malformed, unknown, revoked, expired
	 * or its tenant suspended
	 */
	Optional<Caller> authenticate(String presented) {
		if (!ApiKeySecret.isWellFormed(presented)) {
			return Optional.empty();
		}
		ByteBuffer hash = ByteBuffer.wrap(ApiKeySecret.hash(presented));
		long now = System.nanoTime();
		Entry cached = this.cache.get(hash);
		if (cached != null && now - cached.verifiedAt < this.ttlNanos && !expired(cached.principal)) {
			this.lastUsed.record(cached.principal.keyId());
			return Optional.of(cached.caller);
		}
		Optional<ApiKeyPrincipal> principal = this.keys.authenticate(presented);
		if (principal.isEmpty()) {
			this.cache.remove(hash);
			return Optional.empty();
		}
		if (this.cache.size() >= this.maxSize) {
			this.cache.clear();
		}
		ApiKeyPrincipal key = principal.get();
		Caller caller = new Caller(key.tenantId(), key.tenant(), key.publicId(), key.publicId(), Caller.API_KEY,
				this.scopes.effective(key.tenant(), key.scopes()), key.allowedModels());
		this.cache.put(hash, new Entry(key, caller, now));
		this.lastUsed.record(key.keyId());
		return Optional.of(caller);
	}

	@TransactionalEventListener
	void onRevoked(ApiKeyRevoked revoked) {
		this.cache.values().removeIf((entry) -> entry.principal.publicId().equals(revoked.publicId()));
	}

	@TransactionalEventListener
	void onRotated(ApiKeyRotated rotated) {
		// The old key's expiry moved closer; let the next request read it afresh.
		this.cache.values().removeIf((entry) -> entry.principal.publicId().equals(rotated.previousPublicId()));
	}

	private static boolean expired(ApiKeyPrincipal principal) {
		return principal.expiresAt() != null && !java.time.Instant.now().isBefore(principal.expiresAt());
	}

	private record Entry(ApiKeyPrincipal principal, Caller caller, long verifiedAt) {
	}

}
