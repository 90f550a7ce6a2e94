package io.quiver.gateway.auditing;

import java.util.Map;

import io.quiver.audit.AuditActor;
import io.quiver.audit.AuditEvent;
import io.quiver.audit.AuditOutcome;
import io.quiver.audit.AuditTrail;
import io.quiver.audit.ClientAddressResolver;
import io.quiver.gateway.security.Caller;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.stereotype.Component;

/**
 * The events of the request path: authentication failures and every inference request
 * (metadata only: never a prompt, a completion or a credential). Both are submitted, so
 * the request never waits on the database, and never lost (the trail spools to disk while
 * the database is away).
 */
@Component
public class GatewayAudit {

	private final AuditTrail trail;

	private final ClientAddressResolver addresses;

	GatewayAudit(AuditTrail trail, ClientAddressResolver addresses) {
		this.trail = trail;
		this.addresses = addresses;
	}

	/**
	 * A credential was refused. The tenant is unknown (the credential named none we
	 * trust), so the event goes to the platform chain.
	 * @param request the request
	 * @param credential what kind of credential was presented ({@code api_key},
	 * {@code jwt}, {@code none})
	 * @param reason a reason code
	 */
	public void authenticationFailed(HttpServletRequest request, String credential, String reason) {
		AuditEvent.Builder event = AuditEvent.builder(AuditEvent.PLATFORM_TENANT, "auth.failed")
			.actor(AuditActor.anonymous())
			.outcome(AuditOutcome.FAILURE, reason)
			.resource("endpoint", request.getRequestURI())
			.metadata("credential", credential);
		this.trail.submit(RequestFacts.from(request, this.addresses, event).build());
	}

	/**
	 * An inference request ended, whatever its outcome.
	 * @param request the request
	 * @param caller who made it
	 * @param model the model asked for
	 * @param status the HTTP status answered
	 * @param latencyMillis from arrival to the last byte
	 * @param requestId the gateway's request id
	 */
	public void inferenceEnded(HttpServletRequest request, Caller caller, String model, int status, long latencyMillis,
			String requestId) {
		AuditEvent.Builder event = AuditEvent.builder(caller.tenant(), "inference.completed")
			.actor(CallerAuditActors.of(caller))
			.outcome((status < 400) ? AuditOutcome.SUCCESS : AuditOutcome.FAILURE,
					(status < 400) ? null : "http_" + status)
			.resource("model", model)
			.metadata("status", status)
			.metadata("latency_ms", latencyMillis)
			.metadata("endpoint", request.getRequestURI());
		RequestFacts.from(request, this.addresses, event).requestId(requestId);
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

}
