package io.quiver.db;

import java.nio.file.Path;
import java.sql.DriverManager;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class EmbeddedPostgresTests {

	@Test
	void whenStartedThenAcceptsConnectionsAndKeepsDataAcrossRestarts(@TempDir Path dir) throws Exception {
		Path data = dir.resolve("data");
		try (EmbeddedPostgres postgres = EmbeddedPostgres.start(data, 0, false)) {
			postgres.createDatabaseIfMissing("quiver");
			try (var connection = DriverManager.getConnection(postgres.jdbcUrl("quiver"), postgres.username(), "");
					var statement = connection.createStatement()) {
				statement.execute("create table kept (id int)");
				statement.execute("insert into kept values (42)");
			}
		}
		try (EmbeddedPostgres postgres = EmbeddedPostgres.start(data, 0, true);
				var connection = DriverManager.getConnection(postgres.jdbcUrl("quiver"), postgres.username(), "");
				var result = connection.createStatement().executeQuery("select id from kept")) {
			assertThat(result.next()).isTrue();
			assertThat(result.getInt(1)).isEqualTo(42);
		}
	}

}
