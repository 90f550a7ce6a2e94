package io.quiver.tenancy.member;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The permissions a caller can hold. API keys carry them directly; people and service
 * accounts get them through their {@link Role}.
 */
public final class Scopes {

	/** Call the OpenAI API ({@code /v1}). */
	public static final String INFERENCE = "inference";

	/** Read the tenant's adapters. */
	public static final String ADAPTERS_READ = "adapters:read";

	/** Register and upload adapters. */
	public static final String ADAPTERS_WRITE = "adapters:write";

	/** Read the tenant's usage. */
	public static final String USAGE_READ = "usage:read";

	/** Read the tenant's audit trail. */
	public static final String AUDIT_READ = "audit:read";

	/** Administer the tenant: members, keys, identity providers, limits. */
	public static final String ADMIN = "admin";

	/**
	 * Administer every tenant. Honoured only for callers of the platform tenant, so no
	 * tenant can grant it to itself.
	 */
	public static final String PLATFORM_ADMIN = "platform:admin";

	/** Every scope a key can be issued with. */
	public static final Set<String> ALL = Set.of(INFERENCE, ADAPTERS_READ, ADAPTERS_WRITE, USAGE_READ, AUDIT_READ,
			ADMIN, PLATFORM_ADMIN);

	private Scopes() {
	}

	/**
	 * @param scopes what a credential carries
	 * @return those scopes plus what they imply: {@code admin} implies every tenant
	 * scope, {@code adapters:write} implies {@code adapters:read}, {@code platform:admin}
	 * implies everything
	 */
	public static Set<String> expand(Set<String> scopes) {
		Set<String> expanded = new LinkedHashSet<>(scopes);
		if (scopes.contains(PLATFORM_ADMIN)) {
			expanded.addAll(ALL);
		}
		if (expanded.contains(ADMIN)) {
			expanded.addAll(Set.of(INFERENCE, ADAPTERS_READ, ADAPTERS_WRITE, USAGE_READ, AUDIT_READ));
		}
		if (expanded.contains(ADAPTERS_WRITE)) {
			expanded.add(ADAPTERS_READ);
		}
		return Set.copyOf(expanded);
	}

	/**
	 * @param requested scopes a new key or member should get
	 * @throws IllegalArgumentException if one is unknown
	 */
	public static void requireKnown(Set<String> requested) {
		for (String scope : requested) {
			if (!ALL.contains(scope)) {
				throw new IllegalArgumentException("Unknown scope '" + scope + "'; known scopes are " + ALL);
			}
		}
	}

}
