package io.quiver.gateway.console;

import java.util.Locale;
import java.util.Set;

import io.quiver.tenancy.member.Scopes;

/**
 * What a local console account may do, as the scopes its signed-in {@code Caller}
 * carries. The names match the tenancy roles, so an account reads the same wherever it
 * came from.
 */
enum ConsoleRole {

	/** Every tenant, through the tenant switcher. */
	PLATFORM_ADMIN(Set.of(Scopes.PLATFORM_ADMIN)),

	/** Everything inside the account's own tenant. */
	TENANT_ADMIN(Set.of(Scopes.ADMIN)),

	/**
	 * Uses the own tenant's models in the playground, reads its adapters and usage;
	 * changes nothing.
	 */
	MEMBER(Set.of(Scopes.INFERENCE, Scopes.ADAPTERS_READ, Scopes.USAGE_READ)),

	/** Reads the audit trail and the overview of the own tenant; changes nothing. */
	AUDITOR(Set.of(Scopes.AUDIT_READ));

	/** The scope that opens other tenants' pages. */
	static final String PLATFORM = Scopes.PLATFORM_ADMIN;

	private final Set<String> scopes;

	ConsoleRole(Set<String> scopes) {
		// With their implications, as for every other caller: admin reads usage too.
		this.scopes = Scopes.expand(scopes);
	}

	Set<String> scopes() {
		return this.scopes;
	}

	/**
	 * @return the value stored in {@code console_accounts.role}
	 */
	String wireValue() {
		return name().toLowerCase(Locale.ROOT);
	}

	static ConsoleRole fromWireValue(String value) {
		return valueOf(value.toUpperCase(Locale.ROOT));
	}

}
