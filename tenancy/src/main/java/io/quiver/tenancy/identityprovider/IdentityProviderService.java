package io.quiver.tenancy.identityprovider;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.web.ConflictException;
import io.quiver.tenancy.web.NotFoundException;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Registers, changes and removes tenants' identity providers, and finds the one that
 * issued a token.
 */
@Service
public class IdentityProviderService {

	private final IdentityProviderRepository providers;

	private final ApplicationEventPublisher events;

	private final Clock clock = Clock.systemUTC();

	IdentityProviderService(IdentityProviderRepository providers, ApplicationEventPublisher events) {
		this.providers = providers;
		this.events = events;
	}

	@Transactional
	public IdentityProvider register(Tenant tenant, IdentityProviderSettings settings, String registeredBy) {
		settings.validate();
		if (this.providers.findByIssuer(settings.issuer()).isPresent()) {
			// Issuers are unique across tenants; say so without naming the other tenant.
			throw new ConflictException("This issuer is already registered.");
		}
		IdentityProvider provider = this.providers
			.save(new IdentityProvider(tenant.getId(), settings, this.clock.instant(), registeredBy));
		this.events.publishEvent(new IdentityProviderRegistered(tenant.getId(), provider.getPublicId(),
				provider.getIssuer(), provider.getJwksUri(), registeredBy));
		return provider;
	}

	@Transactional
	public IdentityProvider change(Tenant tenant, String publicId, IdentityProviderSettings settings,
			String changedBy) {
		settings.validate();
		IdentityProvider provider = find(tenant, publicId);
		Optional<IdentityProvider> holder = this.providers.findByIssuer(settings.issuer());
		if (holder.isPresent() && !holder.get().getId().equals(provider.getId())) {
			throw new ConflictException("This issuer is already registered.");
		}
		provider.apply(settings);
		this.events.publishEvent(new IdentityProviderRegistered(tenant.getId(), publicId, provider.getIssuer(),
				provider.getJwksUri(), changedBy));
		return provider;
	}

	@Transactional
	public void remove(Tenant tenant, String publicId, String removedBy) {
		IdentityProvider provider = find(tenant, publicId);
		this.providers.delete(provider);
		this.events
			.publishEvent(new IdentityProviderRemoved(tenant.getId(), publicId, provider.getIssuer(), removedBy));
	}

	@Transactional(readOnly = true)
	public IdentityProvider find(Tenant tenant, String publicId) {
		return this.providers.findByTenantIdAndPublicId(tenant.getId(), publicId).orElseThrow(NotFoundException::new);
	}

	@Transactional(readOnly = true)
	public List<IdentityProvider> list(Tenant tenant) {
		return this.providers.findByTenantIdOrderByCreatedAt(tenant.getId());
	}

	/**
	 * @param issuer the {@code iss} of a presented token (not yet verified)
	 * @return the provider registered with exactly that issuer
	 */
	@Transactional(readOnly = true)
	public Optional<IdentityProvider> findByIssuer(String issuer) {
		return this.providers.findByIssuer(issuer);
	}

}
