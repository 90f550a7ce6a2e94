package io.quiver.audit.chain;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;

import javax.sql.DataSource;

import io.quiver.audit.TestAudit;
import io.quiver.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The database itself refuses to change history: the trigger for every role (the test
 * connects as superuser and schema owner), the grants for the application's role.
 */
class AppendOnlyTests {

	private final DataSource dataSource = TestAudit.dataSource();

	private final JdbcTemplate jdbc = new JdbcTemplate(this.dataSource);

	@Test
	void whenOwnerUpdatesAnAuditRowThenTheTriggerRefuses() {
		String tenant = appendOne("update");
		assertThatExceptionOfType(org.springframework.dao.DataAccessException.class)
			.isThrownBy(() -> this.jdbc.update("update audit_event set action = 'x.y' where tenant = ?", tenant))
			.havingRootCause()
			.withMessageContaining("append-only");
	}

	@Test
	void whenOwnerDeletesAnAuditRowThenTheTriggerRefuses() {
		String tenant = appendOne("delete");
		assertThatExceptionOfType(org.springframework.dao.DataAccessException.class)
			.isThrownBy(() -> this.jdbc.update("delete from audit_event where tenant = ?", tenant))
			.havingRootCause()
			.withMessageContaining("append-only");
		assertThat(TestAudit.count(tenant)).isEqualTo(1);
	}

	@Test
	void whenOwnerTruncatesTheTrailThenTheTriggerRefuses() {
		appendOne("truncate");
		assertThatExceptionOfType(org.springframework.dao.DataAccessException.class)
			.isThrownBy(() -> this.jdbc.execute("truncate audit_event"))
			.havingRootCause()
			.withMessageContaining("append-only");
	}

	@Test
	void whenOwnerSetsThePurgeFlagByHandThenUncheckpointedRowsStillCannotBeDeleted() {
		String tenant = appendOne("flag");
		TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(this.dataSource));
		assertThatExceptionOfType(org.springframework.dao.DataAccessException.class)
			.isThrownBy(() -> transactions.executeWithoutResult((status) -> {
				this.jdbc.queryForObject("select set_config('quiver.audit.purge', 'on', true)", String.class);
				this.jdbc.update("delete from audit_event where tenant = ?", tenant);
			}))
			.havingRootCause()
			.withMessageContaining("append-only");
	}

	@Test
	void whenPurgeHasNoCheckpointAtThatSequenceThenItRefuses() {
		String tenant = appendOne("purge");
		assertThatExceptionOfType(org.springframework.dao.DataAccessException.class)
			.isThrownBy(
					() -> this.jdbc.queryForObject("select audit_purge(?, 1, interval '400 days')", Long.class, tenant))
			.withMessageContaining("no signed checkpoint");
	}

	@Test
	void whenApplicationRoleWritesThenItMayInsertButNotUpdateOrDelete() throws SQLException {
		String tenant = appendOne("grants");
		try (Connection connection = TestDatabase.get().connect(); Statement statement = connection.createStatement()) {
			statement.execute("set role quiver_app");
			try (var rs = statement.executeQuery("select count(*) from audit_event where tenant = '" + tenant + "'")) {
				rs.next();
				assertThat(rs.getLong(1)).isEqualTo(1);
			}
			// Off the trigger for this session is not even possible for the app role, and
			// the grant alone already refuses.
			assertThatExceptionOfType(SQLException.class).isThrownBy(
					() -> statement.execute("update audit_event set action = 'x.y' where tenant = '" + tenant + "'"))
				.withMessageContaining("permission denied");
			assertThatExceptionOfType(SQLException.class)
				.isThrownBy(() -> statement.execute("delete from audit_event where tenant = '" + tenant + "'"))
				.withMessageContaining("permission denied");
			statement.execute("reset role");
		}
	}

	@Test
	void whenApplicationRoleAppendsThenTheInsertIsAllowed() throws SQLException {
		String tenant = TestAudit.tenant("approle");
		try (Connection connection = TestDatabase.get().connect(); Statement statement = connection.createStatement()) {
			statement.execute("set role quiver_app");
			connection.setAutoCommit(false);
			var single = new org.springframework.jdbc.datasource.SingleConnectionDataSource(connection, true);
			JdbcChainAppender appender = new JdbcChainAppender(new JdbcTemplate(single), Clock.systemUTC());
			new TransactionTemplate(new DataSourceTransactionManager(single))
				.execute((status) -> appender.append(List.of(TestAudit.event(tenant, 1))));
			connection.setAutoCommit(true);
			statement.execute("reset role");
		}
		assertThat(TestAudit.count(tenant)).isEqualTo(1);
	}

	private String appendOne(String purpose) {
		String tenant = TestAudit.tenant(purpose);
		JdbcChainAppender appender = TestAudit.appender(this.dataSource, Clock.systemUTC());
		new TransactionTemplate(new DataSourceTransactionManager(this.dataSource))
			.execute((status) -> appender.append(List.of(TestAudit.event(tenant, 1))));
		return tenant;
	}

}
