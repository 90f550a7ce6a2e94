package io.quiver.gateway.security;

import java.io.Serializable;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * Whoever an authenticated request speaks for, whatever the credential.
 *
 * @param tenantId the tenant's id
 * @param tenant the tenant's slug
 * @param subject the key's public id, or the user's subject
 * @param keyPublicId the API key's public id, or {@code null} for a JWT
 * @param method how the caller authenticated ({@code api_key}, {@code jwt})
 * @param scopes what the caller may do, implications included
 * @param allowedModels the models and adapters the caller may use; empty means all of its
 * tenant's; a signed-in console session holds it, serialized, in the database
 */
public record Caller(UUID tenantId, String tenant, String subject, String keyPublicId, String method,
		Set<String> scopes, Set<String> allowedModels) implements Serializable {

	/** Authenticated with an API key. */
	public static final String API_KEY = "api_key";

	/** Authenticated with a JWT from the tenant's identity provider. */
	public static final String JWT = "jwt";

	public Caller {
		scopes = Set.copyOf(scopes);
		allowedModels = (allowedModels != null) ? Set.copyOf(allowedModels) : Set.of();
	}

	public Caller(UUID tenantId, String tenant, String subject, String keyPublicId, String method, Set<String> scopes) {
		this(tenantId, tenant, subject, keyPublicId, method, scopes, Set.of());
	}

	/**
	 * @return the caller the security filters authenticated for the current request, if
	 * any
	 */
	public static Optional<Caller> current() {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		return (authentication != null && authentication.getPrincipal() instanceof Caller caller) ? Optional.of(caller)
				: Optional.empty();
	}

	/**
	 * @param scope e.g. {@code inference}
	 * @return whether the caller holds it
	 */
	public boolean hasScope(String scope) {
		return this.scopes.contains(scope);
	}

	/**
	 * @param model a model or adapter name as requested (a pinned version counts as its
	 * adapter)
	 * @return whether this caller may use it
	 */
	public boolean mayUse(String model) {
		if (this.allowedModels.isEmpty()) {
			return true;
		}
		int at = model.indexOf('@');
		return this.allowedModels.contains(model) || (at > 0 && this.allowedModels.contains(model.substring(0, at)));
	}

}
