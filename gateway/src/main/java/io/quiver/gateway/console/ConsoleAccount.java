package io.quiver.gateway.console;

import java.util.UUID;

/**
 * A local console account as stored; the password exists only as its hash.
 *
 * @param id the account's id
 * @param tenantId the tenant it belongs to
 * @param username what its owner types to sign in
 * @param passwordHash a self-describing hash ({@code {bcrypt}...})
 * @param role what it may do
 */
record ConsoleAccount(UUID id, UUID tenantId, String username, String passwordHash, ConsoleRole role) {

	@Override
	public String toString() {
		return "ConsoleAccount[" + this.username + ", " + this.role + "]";
	}

}
