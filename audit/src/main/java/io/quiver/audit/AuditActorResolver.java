package io.quiver.audit;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Tells the audit endpoints who is calling, so that reading, exporting and verifying the
 * trail are themselves audited under the caller's identity. The gateway provides one from
 * its security context; without one the caller is recorded as anonymous.
 */
@FunctionalInterface
public interface AuditActorResolver {

	/**
	 * @param request the current request
	 * @return the authenticated principal, or {@link AuditActor#anonymous()}
	 */
	AuditActor resolve(HttpServletRequest request);

}
