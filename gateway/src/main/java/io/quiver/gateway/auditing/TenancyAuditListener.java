package io.quiver.gateway.auditing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.quiver.audit.AuditActor;
import io.quiver.audit.AuditEvent;
import io.quiver.audit.AuditOutcome;
import io.quiver.audit.AuditTrail;
import io.quiver.audit.ClientAddressResolver;
import io.quiver.tenancy.apikey.ApiKeyIssued;
import io.quiver.tenancy.apikey.ApiKeyRevoked;
import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.tenant.TenantCreated;
import io.quiver.tenancy.tenant.TenantService;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Records every tenancy change in the audit trail. Tenancy publishes its events inside
 * the changing transaction and these listeners run synchronously, so a change and its
 * audit event commit or roll back together.
 */
@Component
class TenancyAuditListener {

	private final AuditTrail trail;

	private final TenantService tenants;

	private final ClientAddressResolver addresses;

	TenancyAuditListener(AuditTrail trail, TenantService tenants, ClientAddressResolver addresses) {
		this.trail = trail;
		this.tenants = tenants;
		this.addresses = addresses;
	}

	@EventListener
	void on(TenantCreated created) {
		record(event(created.slug(), "tenant.created", created.createdBy()).resource("tenant", created.slug())
			.changes(null, Map.of("slug", created.slug())));
	}

	@EventListener
	void on(ApiKeyIssued issued) {
		Map<String, Object> after = new LinkedHashMap<>();
		after.put("public_id", issued.publicId());
		after.put("name", issued.name());
		after.put("scopes", issued.scopes().stream().sorted().toList());
		after.put("expires_at", (issued.expiresAt() != null) ? issued.expiresAt().toString() : null);
		record(event(slugOf(issued.tenantId()), "api_key.created", issued.issuedBy())
			.resource("api_key", issued.publicId())
			.changes(null, after));
	}

	@EventListener
	void on(ApiKeyRevoked revoked) {
		record(event(slugOf(revoked.tenantId()), "api_key.revoked", revoked.revokedBy())
			.resource("api_key", revoked.publicId())
			.changes(Map.of("revoked", false), Map.of("revoked", true)));
	}

	private AuditEvent.Builder event(String tenant, String action, String by) {
		AuditEvent.Builder event = AuditEvent.builder(tenant, action)
			.actor(CallerAuditActors.current(AuditActor.system(by)))
			.outcome(AuditOutcome.SUCCESS);
		return RequestFacts.from(RequestFacts.current(), this.addresses, event);
	}

	private void record(AuditEvent.Builder event) {
		this.trail.record(event.build());
	}

	private String slugOf(UUID tenantId) {
		return this.tenants.findById(tenantId).map(Tenant::getSlug).orElse(AuditEvent.PLATFORM_TENANT);
	}

}
