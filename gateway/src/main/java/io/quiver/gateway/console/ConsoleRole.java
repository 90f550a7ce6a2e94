package io.quiver.gateway.console;

import java.util.Locale;
import java.util.Set;

import io.quiver.tenancy.apikey.ApiKeyService;

/**
 * What a local console account may do, as the scopes its signed-in {@code Caller}
 * carries. The names match the tenancy roles, so an account reads the same wherever it
 * came from.
 */
enum ConsoleRole {

	/** Every tenant, through the tenant switcher. */
	PLATFORM_ADMIN(Set.of(ApiKeyService.INFERENCE, "admin", "adapters:write", "audit:read", ConsoleRole.PLATFORM)),

	/** Everything inside the account's own tenant. */
	TENANT_ADMIN(Set.of(ApiKeyService.INFERENCE, "admin", "adapters:write", "audit:read")),

	/** Reads the audit trail and the overview of the own tenant; changes nothing. */
	AUDITOR(Set.of("audit:read"));

	/** The scope that opens other tenants' pages. */
	static final String PLATFORM = "platform:admin";

	private final Set<String> scopes;

	ConsoleRole(Set<String> scopes) {
		this.scopes = scopes;
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
