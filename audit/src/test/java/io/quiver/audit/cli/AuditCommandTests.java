package io.quiver.audit.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import io.quiver.audit.AuditEvent;
import io.quiver.audit.TestAudit;
import io.quiver.audit.chain.JdbcChainAppender;
import io.quiver.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

class AuditCommandTests {

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	private final ByteArrayOutputStream err = new ByteArrayOutputStream();

	@Test
	void whenChainIsIntactThenVerifyPrintsCountsAndExitsZero() {
		String tenant = append(TestAudit.tenant("cli"), 4);
		assertThat(run("verify", "--tenant", tenant, "--db-url", TestDatabase.get().url())).isZero();
		assertThat(output()).contains(tenant + ": OK, 4 events (sequences 1 to 4)");
	}

	@Test
	void whenAnEventWasDeletedThenVerifyNamesTheLinkAndExitsOne() {
		String tenant = append(TestAudit.tenant("cli"), 5);
		TestAudit.tamper("delete from audit_event where tenant = '" + tenant + "' and sequence = 2");
		assertThat(run("verify", "--tenant", tenant, "--db-url", TestDatabase.get().url())).isEqualTo(1);
		assertThat(output()).contains(tenant + ": BROKEN at sequence 2").contains("expected hash:");
	}

	@Test
	void whenNoTenantIsNamedThenUsageIsPrintedAndExitIsTwo() {
		assertThat(run("verify")).isEqualTo(2);
		assertThat(this.err.toString(StandardCharsets.UTF_8)).contains("--tenant");
	}

	private int run(String... args) {
		return AuditCommand.run(new CommandLine(args), new PrintStream(this.out, true, StandardCharsets.UTF_8),
				new PrintStream(this.err, true, StandardCharsets.UTF_8));
	}

	private String output() {
		return this.out.toString(StandardCharsets.UTF_8);
	}

	private static String append(String tenant, int count) {
		JdbcChainAppender appender = TestAudit.appender(TestAudit.dataSource(), Clock.systemUTC());
		List<AuditEvent> events = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			events.add(TestAudit.event(tenant, i));
		}
		new TransactionTemplate(new DataSourceTransactionManager(TestAudit.dataSource()))
			.execute((status) -> appender.append(events));
		return tenant;
	}

}
