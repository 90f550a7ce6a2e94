package io.quiver.gateway.console;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * The local console accounts ({@code console_accounts}). Passwords are hashed here and
 * nowhere else.
 */
@Component
class ConsoleAccounts {

	private static final String COLUMNS = "id, tenant_id, username, password_hash, role";

	private final JdbcTemplate jdbc;

	private final PasswordEncoder passwords;

	/** A hash of a random password, compared against when the username is unknown. */
	private volatile String dummyHash;

	ConsoleAccounts(JdbcTemplate jdbc, PasswordEncoder consolePasswordEncoder) {
		this.jdbc = jdbc;
		this.passwords = consolePasswordEncoder;
	}

	Optional<ConsoleAccount> findByUsername(String username) {
		return this.jdbc
			.query("select " + COLUMNS + " from console_accounts where username = ?", ConsoleAccounts::account,
					username)
			.stream()
			.findFirst();
	}

	long count() {
		Long count = this.jdbc.queryForObject("select count(*) from console_accounts", Long.class);
		return (count != null) ? count : 0;
	}

	ConsoleAccount create(UUID tenantId, String username, String password, ConsoleRole role) {
		ConsoleAccount account = new ConsoleAccount(UUID.randomUUID(), tenantId, username,
				this.passwords.encode(password), role);
		this.jdbc.update(
				"insert into console_accounts (id, tenant_id, username, password_hash, role) values (?, ?, ?, ?, ?)",
				account.id(), tenantId, username, account.passwordHash(), role.wireValue());
		return account;
	}

	boolean passwordMatches(ConsoleAccount account, String password) {
		return this.passwords.matches(password, account.passwordHash());
	}

	/**
	 * Spends the time a real password check takes, so that an unknown username cannot be
	 * told from a wrong password by how long the answer takes.
	 * @param password what was presented
	 */
	void matchNothing(String password) {
		String hash = this.dummyHash;
		if (hash == null) {
			hash = this.passwords.encode(UUID.randomUUID().toString());
			this.dummyHash = hash;
		}
		this.passwords.matches(password, hash);
	}

	void changePassword(UUID accountId, String password) {
		this.jdbc.update("update console_accounts set password_hash = ? where id = ?", this.passwords.encode(password),
				accountId);
	}

	void markSignedIn(UUID accountId, Instant at) {
		this.jdbc.update("update console_accounts set last_sign_in_at = ? where id = ?",
				OffsetDateTime.ofInstant(at, ZoneOffset.UTC), accountId);
	}

	private static ConsoleAccount account(ResultSet rs, int row) throws SQLException {
		return new ConsoleAccount(rs.getObject("id", UUID.class), rs.getObject("tenant_id", UUID.class),
				rs.getString("username"), rs.getString("password_hash"),
				ConsoleRole.fromWireValue(rs.getString("role")));
	}

}
