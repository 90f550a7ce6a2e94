package io.quiver.tenancy.web;

import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

/**
 * Who performs an admin operation: a name for the record and the scopes they hold, so
 * that nobody can grant more than they have.
 *
 * @param name the key's public id or the user's subject; never a secret
 * @param scopes the caller's scopes, implications included
 */
public record Actor(String name, Set<String> scopes) {

	/**
	 * @param authentication the authenticated caller
	 * @return the actor
	 */
	public static Actor of(Authentication authentication) {
		Set<String> scopes = authentication.getAuthorities()
			.stream()
			.map(GrantedAuthority::getAuthority)
			.filter((authority) -> authority.startsWith("SCOPE_"))
			.map((authority) -> authority.substring(6))
			.collect(Collectors.toUnmodifiableSet());
		return new Actor(authentication.getName(), scopes);
	}

	/**
	 * @param requested scopes the actor wants to hand out
	 * @throws ForbiddenException if the actor does not hold all of them
	 */
	public void requireAll(Set<String> requested) {
		if (!this.scopes.containsAll(requested)) {
			throw new ForbiddenException("You cannot grant scopes you do not hold.");
		}
	}

}
