package io.quiver.gateway.auditing;

import io.quiver.audit.AuditActor;
import io.quiver.audit.AuditActorResolver;
import io.quiver.audit.AuthMethod;
import io.quiver.gateway.security.Caller;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/**
 * The audit actor for whoever the security context holds: an API key by its public id, a
 * user by id and issuer, the system when nobody is signed in (start-up, scheduled jobs).
 */
@Component
class CallerAuditActors implements AuditActorResolver {

	@Override
	public AuditActor resolve(HttpServletRequest request) {
		return current(AuditActor.anonymous());
	}

	/**
	 * @param otherwise the actor when no caller is authenticated
	 * @return the current caller as an audit actor
	 */
	static AuditActor current(AuditActor otherwise) {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (authentication != null && authentication.getPrincipal() instanceof Caller caller) {
			return of(caller);
		}
		return otherwise;
	}

	static AuditActor of(Caller caller) {
		if (caller.keyPublicId() != null) {
			return AuditActor.apiKey(caller.keyPublicId());
		}
		AuthMethod method = "password".equals(caller.method()) ? AuthMethod.PASSWORD : AuthMethod.JWT;
		return AuditActor.user(caller.subject(), method, null);
	}

}
