package io.quiver.gateway.openai;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.quiver.tenancy.adapter.AdapterChanged;
import io.quiver.tenancy.adapter.AdapterRegistered;
import io.quiver.tenancy.adapter.AdapterService;
import io.quiver.tenancy.adapter.AdapterVersion;
import io.quiver.tenancy.adapter.ResolvedAdapter;

import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Resolves a request's {@code model} among the caller's tenant's adapters, with a short
 * cache so that warm requests do not wait on the database. The cache is keyed by tenant:
 * a lookup can never see another tenant's entries.
 */
@Component
class AdapterResolver {

	private static final long TTL_NANOS = 5_000_000_000L;

	private static final int MAX_ENTRIES = 100_000;

	private final AdapterService adapters;

	private final ConcurrentHashMap<Key, Entry> cache = new ConcurrentHashMap<>();

	AdapterResolver(AdapterService adapters) {
		this.adapters = adapters;
	}

	Optional<ResolvedAdapter> resolve(UUID tenantId, String model) {
		Key key = new Key(tenantId, model);
		long now = System.nanoTime();
		Entry cached = this.cache.get(key);
		if (cached != null && now - cached.loadedAt < TTL_NANOS) {
			return cached.adapter;
		}
		Optional<ResolvedAdapter> resolved = this.adapters.resolve(tenantId, model);
		if (this.cache.size() >= MAX_ENTRIES) {
			this.cache.clear();
		}
		this.cache.put(key, new Entry(resolved, now));
		return resolved;
	}

	List<AdapterVersion> readyVersions(UUID tenantId) {
		return this.adapters.readyVersions(tenantId);
	}

	Optional<String> nameOf(UUID adapterId) {
		return this.adapters.nameOf(adapterId);
	}

	@TransactionalEventListener
	void onRegistered(AdapterRegistered registered) {
		this.cache.keySet().removeIf((key) -> key.tenantId.equals(registered.tenantId()));
	}

	@TransactionalEventListener
	void onChanged(AdapterChanged changed) {
		this.cache.keySet().removeIf((key) -> key.tenantId.equals(changed.tenantId()));
	}

	private record Key(UUID tenantId, String model) {
	}

	private record Entry(Optional<ResolvedAdapter> adapter, long loadedAt) {
	}

}
