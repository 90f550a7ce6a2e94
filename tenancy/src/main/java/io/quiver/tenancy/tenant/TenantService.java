package io.quiver.tenancy.tenant;

import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Creates and finds tenants.
 */
@Service
public class TenantService {

	private static final String SLUG = "^[a-z][a-z0-9-]{1,62}$";

	private final TenantRepository tenants;

	private final ApplicationEventPublisher events;

	private final Clock clock;

	private final String platformTenant;

	TenantService(TenantRepository tenants, ApplicationEventPublisher events, TenancyProperties properties) {
		this.tenants = tenants;
		this.events = events;
		this.clock = Clock.systemUTC();
		this.platformTenant = properties.platformTenant();
	}

	/**
	 * @param slug a tenant's slug
	 * @return whether it is the platform tenant, the only one whose callers may be
	 * platform admins
	 */
	public boolean isPlatformTenant(String slug) {
		return this.platformTenant.equals(slug);
	}

	@Transactional(readOnly = true)
	public java.util.List<Tenant> list() {
		return this.tenants.findAll(org.springframework.data.domain.Sort.by("slug"));
	}

	/**
	 * Creates a tenant.
	 * @param slug the immutable public handle: a lower-case letter, then 1 to 62
	 * lower-case letters, digits or dashes
	 * @param displayName the name people see
	 * @param createdBy who asks
	 * @return the new tenant
	 * @throws IllegalArgumentException if the slug is malformed or taken
	 */
	@Transactional
	public Tenant create(String slug, String displayName, String createdBy) {
		if (slug == null || !slug.matches(SLUG)) {
			throw new IllegalArgumentException("Tenant slug must match " + SLUG);
		}
		if (this.tenants.findBySlug(slug).isPresent()) {
			throw new IllegalArgumentException("Tenant '" + slug + "' already exists");
		}
		Tenant tenant = this.tenants.save(new Tenant(UUID.randomUUID(), slug, displayName, this.clock.instant()));
		this.events.publishEvent(new TenantCreated(tenant.getId(), slug, createdBy));
		return tenant;
	}

	@Transactional(readOnly = true)
	public Optional<Tenant> findBySlug(String slug) {
		return this.tenants.findBySlug(slug);
	}

	@Transactional(readOnly = true)
	public Optional<Tenant> findById(UUID id) {
		return this.tenants.findById(id);
	}

	@Transactional(readOnly = true)
	public long count() {
		return this.tenants.count();
	}

}
