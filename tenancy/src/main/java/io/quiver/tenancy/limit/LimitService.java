package io.quiver.tenancy.limit;

import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

import io.quiver.tenancy.apikey.ApiKey;
import io.quiver.tenancy.apikey.ApiKeyRotated;
import io.quiver.tenancy.apikey.ApiKeyService;
import io.quiver.tenancy.tenant.Tenant;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reads and sets the limits of tenants and keys.
 */
@Service
public class LimitService {

	private final LimitPolicyRepository policies;

	private final ApiKeyService keys;

	private final ApplicationEventPublisher events;

	private final Clock clock = Clock.systemUTC();

	LimitService(LimitPolicyRepository policies, ApiKeyService keys, ApplicationEventPublisher events) {
		this.policies = policies;
		this.keys = keys;
		this.events = events;
	}

	/**
	 * @param tenantId the tenant
	 * @return its own limits (unlimited where none are stored)
	 */
	@Transactional(readOnly = true)
	public Limits ofTenant(UUID tenantId) {
		return this.policies.findForTenant(tenantId).map(LimitPolicy::limits).orElse(Limits.NONE);
	}

	/**
	 * @param tenantId the tenant
	 * @param keyId the key's internal id
	 * @return the key's own limits (unlimited where none are stored)
	 */
	@Transactional(readOnly = true)
	public Limits ofKey(UUID tenantId, UUID keyId) {
		return this.policies.findByTenantIdAndApiKeyId(tenantId, keyId).map(LimitPolicy::limits).orElse(Limits.NONE);
	}

	/**
	 * @param tenantId the tenant
	 * @param keyPublicId the key's public id
	 * @return the key's own limits (unlimited where none are stored, or no such key)
	 */
	@Transactional(readOnly = true)
	public Limits ofKeyPublicId(UUID tenantId, String keyPublicId) {
		return this.policies.findForKey(tenantId, keyPublicId).map(LimitPolicy::limits).orElse(Limits.NONE);
	}

	@Transactional(readOnly = true)
	public Limits ofKey(Tenant tenant, String keyPublicId) {
		return ofKey(tenant.getId(), this.keys.find(tenant.getId(), keyPublicId).getId());
	}

	@Transactional
	public Limits setForTenant(Tenant tenant, Limits limits, String changedBy) {
		Optional<LimitPolicy> existing = this.policies.findForTenant(tenant.getId());
		return apply(existing.orElseGet(() -> new LimitPolicy(tenant.getId(), null)),
				existing.map(LimitPolicy::limits).orElse(Limits.NONE), null, limits, changedBy);
	}

	@Transactional
	public Limits setForKey(Tenant tenant, String keyPublicId, Limits limits, String changedBy) {
		ApiKey key = this.keys.find(tenant.getId(), keyPublicId);
		Optional<LimitPolicy> existing = this.policies.findByTenantIdAndApiKeyId(tenant.getId(), key.getId());
		return apply(existing.orElseGet(() -> new LimitPolicy(tenant.getId(), key.getId())),
				existing.map(LimitPolicy::limits).orElse(Limits.NONE), keyPublicId, limits, changedBy);
	}

	/**
	 * Hands a rotated key's own limits on to its successor, inside the rotating
	 * transaction: rotation must never lift a key's limits, and a failure here rolls the
	 * rotation back. Every path that rotates ({@link ApiKeyService#rotate}) passes here,
	 * and the copy is audited as any other change of limits.
	 * @param rotated the rotation
	 */
	@EventListener
	@Transactional(propagation = Propagation.MANDATORY)
	void onRotated(ApiKeyRotated rotated) {
		this.policies.findForKey(rotated.tenantId(), rotated.previousPublicId()).ifPresent((inherited) -> {
			ApiKey successor = this.keys.find(rotated.tenantId(), rotated.publicId());
			apply(new LimitPolicy(rotated.tenantId(), successor.getId()), Limits.NONE, rotated.publicId(),
					inherited.limits(), rotated.rotatedBy());
		});
	}

	private Limits apply(LimitPolicy policy, Limits before, String keyPublicId, Limits limits, String changedBy) {
		policy.apply(limits, this.clock.instant(), changedBy);
		this.policies.save(policy);
		this.events.publishEvent(new LimitsChanged(policy.getTenantId(), keyPublicId, before, limits, changedBy));
		return limits;
	}

}
