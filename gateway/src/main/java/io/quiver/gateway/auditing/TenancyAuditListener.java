package io.quiver.gateway.auditing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.quiver.audit.AuditActor;
import io.quiver.audit.AuditEvent;
import io.quiver.audit.AuditOutcome;
import io.quiver.audit.AuditTrail;
import io.quiver.audit.ClientAddressResolver;
import io.quiver.tenancy.adapter.AdapterChanged;
import io.quiver.tenancy.adapter.AdapterRegistered;
import io.quiver.tenancy.apikey.ApiKeyIssued;
import io.quiver.tenancy.apikey.ApiKeyRevoked;
import io.quiver.tenancy.apikey.ApiKeyRotated;
import io.quiver.tenancy.identityprovider.IdentityProviderRegistered;
import io.quiver.tenancy.identityprovider.IdentityProviderRemoved;
import io.quiver.tenancy.limit.LimitsChanged;
import io.quiver.tenancy.member.MemberAdded;
import io.quiver.tenancy.member.MemberRemoved;
import io.quiver.tenancy.member.MemberRoleChanged;
import io.quiver.tenancy.tenant.TenantCreated;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Records every tenancy change in the audit trail. Tenancy publishes its events inside
 * the changing transaction and these listeners run synchronously, so a change and its
 * audit event commit or roll back together. Secrets never reach here (the events carry
 * public ids only) and the trail masks anything that looks like one.
 */
@Component
class TenancyAuditListener {

	private final AuditTrail trail;

	private final TenantSlugs tenants;

	private final ClientAddressResolver addresses;

	TenancyAuditListener(AuditTrail trail, TenantSlugs tenants, ClientAddressResolver addresses) {
		this.trail = trail;
		this.tenants = tenants;
		this.addresses = addresses;
	}

	@EventListener
	void on(TenantCreated created) {
		record(created.slug(), "tenant.created", created.createdBy(), "tenant", created.slug(), null,
				Map.of("slug", created.slug()));
	}

	@EventListener
	void on(ApiKeyIssued issued) {
		Map<String, Object> after = new LinkedHashMap<>();
		after.put("public_id", issued.publicId());
		after.put("name", issued.name());
		after.put("scopes", issued.scopes().stream().sorted().toList());
		after.put("expires_at", text(issued.expiresAt()));
		record(issued.tenantId(), "api_key.created", issued.issuedBy(), "api_key", issued.publicId(), null, after);
	}

	@EventListener
	void on(ApiKeyRotated rotated) {
		record(rotated.tenantId(), "api_key.rotated", rotated.rotatedBy(), "api_key", rotated.previousPublicId(),
				Map.of("public_id", rotated.previousPublicId()),
				Map.of("public_id", rotated.publicId(), "previous_retires_at", text(rotated.retiresAt())));
	}

	@EventListener
	void on(ApiKeyRevoked revoked) {
		record(revoked.tenantId(), "api_key.revoked", revoked.revokedBy(), "api_key", revoked.publicId(),
				Map.of("revoked", false), Map.of("revoked", true));
	}

	@EventListener
	void on(MemberAdded added) {
		record(added.tenantId(), "member.added", added.addedBy(), added.kind(), added.publicId(), null,
				Map.of("role", added.role()));
	}

	@EventListener
	void on(MemberRoleChanged changed) {
		record(changed.tenantId(), "member.role_changed", changed.changedBy(), "member", changed.publicId(),
				Map.of("role", changed.before()), Map.of("role", changed.after()));
	}

	@EventListener
	void on(MemberRemoved removed) {
		record(removed.tenantId(), "member.removed", removed.removedBy(), "member", removed.publicId(),
				Map.of("member", removed.publicId()), null);
	}

	@EventListener
	void on(IdentityProviderRegistered registered) {
		record(registered.tenantId(), "identity_provider.registered", registered.changedBy(), "identity_provider",
				registered.publicId(), null, Map.of("issuer", registered.issuer(), "jwks_uri", registered.jwksUri()));
	}

	@EventListener
	void on(IdentityProviderRemoved removed) {
		record(removed.tenantId(), "identity_provider.removed", removed.removedBy(), "identity_provider",
				removed.publicId(), Map.of("issuer", removed.issuer()), null);
	}

	@EventListener
	void on(AdapterRegistered registered) {
		record(registered.tenantId(), "adapter.registered", registered.registeredBy(), "adapter",
				registered.name() + "@" + registered.version(), null, Map.of("version", registered.version(),
						"source_uri", registered.sourceUri(), "sha256", registered.sha256()));
	}

	@EventListener
	void on(AdapterChanged changed) {
		record(changed.tenantId(), "adapter.changed", changed.changedBy(), "adapter", changed.name(), null,
				Map.of("change", changed.change()));
	}

	@EventListener
	void on(LimitsChanged changed) {
		record(changed.tenantId(), "limits.changed", changed.changedBy(), "limits",
				(changed.keyPublicId() != null) ? changed.keyPublicId() : "tenant",
				(changed.before() != null) ? Map.of("limits", String.valueOf(changed.before())) : null,
				Map.of("limits", String.valueOf(changed.after())));
	}

	private void record(UUID tenantId, String action, String by, String resourceType, String resourceId,
			Map<String, ?> before, Map<String, ?> after) {
		record(this.tenants.slugOf(tenantId), action, by, resourceType, resourceId, before, after);
	}

	private void record(String tenant, String action, String by, String resourceType, String resourceId,
			Map<String, ?> before, Map<String, ?> after) {
		AuditEvent.Builder event = AuditEvent.builder(tenant, action)
			.actor(CallerAuditActors.current(AuditActor.system(by)))
			.outcome(AuditOutcome.SUCCESS)
			.resource(resourceType, resourceId)
			.changes(before, after);
		this.trail.record(RequestFacts.from(RequestFacts.current(), this.addresses, event).build());
	}

	private static String text(Object value) {
		return (value != null) ? value.toString() : "";
	}

}
