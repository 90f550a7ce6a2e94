package io.quiver.tenancy.member;

import java.util.Locale;
import java.util.Set;

/**
 * What a member may do in its tenant, as a fixed set of {@link Scopes}.
 */
public enum Role {

	/** Every tenant, every operation; only members of the platform tenant. */
	PLATFORM_ADMIN(Set.of(Scopes.PLATFORM_ADMIN)),

	/** Everything inside one tenant. */
	TENANT_ADMIN(Set.of(Scopes.ADMIN)),

	/** Use the tenant's models and read its adapters and usage. */
	MEMBER(Set.of(Scopes.INFERENCE, Scopes.ADAPTERS_READ, Scopes.USAGE_READ)),

	/** Read the audit trail, nothing else. */
	AUDITOR(Set.of(Scopes.AUDIT_READ));

	private final Set<String> scopes;

	Role(Set<String> scopes) {
		this.scopes = Scopes.expand(scopes);
	}

	/**
	 * @return the scopes this role grants, implications included
	 */
	public Set<String> scopes() {
		return this.scopes;
	}

	/**
	 * @return the name stored and shown, e.g. {@code tenant_admin}
	 */
	public String id() {
		return name().toLowerCase(Locale.ROOT);
	}

	/**
	 * @param id e.g. {@code tenant_admin}
	 * @return the role
	 * @throws IllegalArgumentException if there is none of that name
	 */
	public static Role of(String id) {
		for (Role role : values()) {
			if (role.id().equals(id)) {
				return role;
			}
		}
		throw new IllegalArgumentException("Unknown role '" + id + "'");
	}

}
