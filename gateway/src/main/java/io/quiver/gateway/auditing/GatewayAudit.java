package io.quiver.gateway.auditing;

import java.util.Map;

import io.quiver.audit.AuditActor;
import io.quiver.audit.AuditEvent;
import io.quiver.audit.AuditOutcome;
import io.quiver.audit.AuditTrail;
import io.quiver.audit.AuthMethod;
import io.quiver.audit.ClientAddressResolver;
import io.quiver.gateway.security.AccessDenied;
import io.quiver.gateway.security.AuthenticationFailed;
import io.quiver.gateway.security.Caller;
import io.quiver.gateway.security.CallerAuthenticated;
import io.quiver.gateway.usage.InferenceCompleted;
import io.quiver.tenancy.usage.UsageRecord;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The events of the request path: refused credentials, authorization denials, sign-ins to
 * the admin API and every inference request (metadata only: never a prompt, a completion
 * or a credential). They arrive on the request thread and are submitted, so the request
 * never waits on the database, and never lost (the trail spools to disk while the
 * database is away).
 */
@Component
public class GatewayAudit {

	private final AuditTrail trail;

	private final TenantSlugs tenants;

	private final ClientAddressResolver addresses;

	GatewayAudit(AuditTrail trail, TenantSlugs tenants, ClientAddressResolver addresses) {
		this.trail = trail;
		this.tenants = tenants;
		this.addresses = addresses;
	}

	/**
	 * A credential was refused. It named no tenant we trust, so the event goes to the
	 * platform chain.
	 */
	@EventListener
	void on(AuthenticationFailed failed) {
		submit(facts(AuditEvent.builder(AuditEvent.PLATFORM_TENANT, "auth.failed")).actor(AuditActor.anonymous())
			.outcome(AuditOutcome.FAILURE, failed.reason())
			.resource("endpoint", failed.path())
			.metadata("credential", failed.method()));
	}

	/**
	 * A caller signed in. Only admin and console requests are recorded here: on
	 * {@code /v1} every request's {@code inference.completed} event already names the
	 * caller and how it authenticated.
	 */
	@EventListener
	void on(CallerAuthenticated authenticated) {
		if (authenticated.path() != null && authenticated.path().startsWith("/v1/")) {
			return;
		}
		submit(facts(AuditEvent.builder(this.tenants.slugOf(authenticated.tenantId()), "auth.succeeded"))
			.actor(actor(authenticated.subject(), authenticated.keyPublicId(), authenticated.method()))
			.outcome(AuditOutcome.SUCCESS)
			.resource("endpoint", authenticated.path()));
	}

	@EventListener
	void on(AccessDenied denied) {
		submit(facts(AuditEvent.builder(this.tenants.slugOf(denied.tenantId()), "authorization.denied"))
			.actor(AuditActor.user(denied.subject(), AuthMethod.NONE, null))
			.outcome(AuditOutcome.DENIED, "http_" + denied.status())
			.resource("endpoint", denied.method() + " " + denied.path()));
	}

	@EventListener
	void on(InferenceCompleted completed) {
		UsageRecord usage = completed.usage();
		AuditEvent.Builder event = facts(
				AuditEvent.builder(this.tenants.slugOf(usage.tenantId()), "inference.completed"))
			.actor(actor(usage.subject(), usage.apiKey(), (usage.apiKey() != null) ? "api_key" : "jwt"))
			.outcome((usage.status() < 400) ? AuditOutcome.SUCCESS : AuditOutcome.FAILURE,
					(usage.status() < 400) ? null : "http_" + usage.status())
			.resource("model", (usage.adapter() != null) ? usage.adapter() : usage.model())
			.requestId(usage.requestId())
			.occurredAt(usage.occurredAt())
			.metadata("base_model", usage.model())
			.metadata("status", usage.status())
			.metadata("prompt_tokens", usage.promptTokens())
			.metadata("completion_tokens", usage.completionTokens())
			.metadata("latency_ms", usage.latencyMillis());
		if (usage.adapter() != null) {
			event.metadata("adapter", usage.adapter());
		}
		submit(event);
	}

	private void submit(AuditEvent.Builder event) {
		this.trail.submit(event.build());
	}

	/**
	 * Someone signed in to the console.
	 * @param request the sign-in request
	 * @param caller who they are now
	 */
	public void consoleSignedIn(HttpServletRequest request, Caller caller) {
		AuditEvent.Builder event = AuditEvent.builder(caller.tenant(), "auth.succeeded")
			.actor(CallerAuditActors.of(caller))
			.outcome(AuditOutcome.SUCCESS)
			.resource("console_account", caller.subject());
		this.trail.record(RequestFacts.from(request, this.addresses, event).build());
	}

	/**
	 * A console user exported or verified the trail: like the admin API, every export and
	 * verification becomes an event of that trail.
	 * @param request the request
	 * @param tenant whose trail
	 * @param action {@code audit.exported} or {@code audit.verified}
	 * @param outcome how it ended
	 * @param reason why it failed, or {@code null}
	 * @param metadata non-secret facts (filters, counts)
	 */
	public void auditTrailUsed(HttpServletRequest request, String tenant, String action, AuditOutcome outcome,
			String reason, Map<String, Object> metadata) {
		AuditEvent.Builder event = AuditEvent.builder(tenant, action)
			.actor(CallerAuditActors.current(AuditActor.anonymous()))
			.outcome(outcome, reason)
			.resource("audit_trail", tenant)
			.metadata(metadata);
		this.trail.record(RequestFacts.from(request, this.addresses, event).build());
	}

	/**
	 * Where the request came from, first, so that what the event itself knows (its
	 * request id) wins.
	 */
	private AuditEvent.Builder facts(AuditEvent.Builder event) {
		return RequestFacts.from(RequestFacts.current(), this.addresses, event);
	}

	private static AuditActor actor(String subject, String keyPublicId, String method) {
		if (keyPublicId != null) {
			return AuditActor.apiKey(keyPublicId);
		}
		return AuditActor.user(subject, "jwt".equals(method) ? AuthMethod.JWT : AuthMethod.NONE, null);
	}

}
