package io.quiver.audit.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.zaxxer.hikari.HikariDataSource;
import io.quiver.audit.checkpoint.CheckpointKeys;
import io.quiver.audit.verify.ChainVerifier;
import io.quiver.audit.verify.VerificationReport;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code bin/quiver audit verify --tenant T | --all [--public-keys FILE] [--db-url URL]}:
 * walks chains straight in the database and prints the first broken link or the counts.
 * Exit status: 0 when every chain verifies, 1 when one is broken, 2 on bad usage.
 * Checkpoint signatures are checked against the keys in {@code --public-keys} (lines of
 * {@code keyId base64-X.509}, as {@code GET /admin/v1/audit/public-keys} publishes them)
 * when given; otherwise against {@code audit_signing_key}, which is only as trustworthy
 * as the database, and the command says so.
 */
public final class AuditCommand {

	private AuditCommand() {
	}

	public static void main(String[] args) {
		CommandLine.quietLogging();
		System.exit(run(new CommandLine(args), System.out, System.err));
	}

	static int run(CommandLine command, PrintStream out, PrintStream err) {
		if (command.positional().isEmpty() || !command.positional().getFirst().equals("verify")) {
			err.println("Usage: bin/quiver audit verify (--tenant SLUG | --all) [--public-keys FILE] [--db-url URL] "
					+ "[--db-user USER]   (password from QUIVER_DB_PASSWORD)");
			return 2;
		}
		String tenant = command.option("tenant", null);
		if (tenant == null && !command.flag("all")) {
			err.println("Name a tenant with --tenant SLUG, or verify every chain with --all");
			return 2;
		}
		try (HikariDataSource dataSource = CommandLine.pool(command.dbUrl(), command.dbUser(), command.dbPassword(),
				2)) {
			JdbcTemplate jdbc = new JdbcTemplate(dataSource);
			CheckpointKeys keys = new CheckpointKeys(null, null, trustedKeys(command, jdbc, err));
			ChainVerifier verifier = new ChainVerifier(dataSource, keys);
			List<String> tenants = (tenant != null) ? List.of(tenant)
					: jdbc.queryForList("select tenant from audit_chain_head order by tenant", String.class);
			boolean allValid = true;
			for (String each : tenants) {
				long started = System.nanoTime();
				VerificationReport report = verifier.verify(each);
				long millis = (System.nanoTime() - started) / 1_000_000;
				print(report, millis, out);
				allValid &= report.valid();
			}
			return allValid ? 0 : 1;
		}
		catch (IOException | RuntimeException ex) {
			err.println("Verification could not run: " + ex.getMessage());
			return 2;
		}
	}

	private static Map<String, PublicKey> trustedKeys(CommandLine command, JdbcTemplate jdbc, PrintStream err)
			throws IOException {
		Map<String, PublicKey> keys = new LinkedHashMap<>();
		String file = command.option("public-keys", null);
		if (file != null) {
			for (String line : Files.readAllLines(Path.of(file))) {
				String[] parts = line.strip().split("\\s+");
				if (parts.length == 2 && !parts[0].startsWith("#")) {
					keys.put(parts[0], CheckpointKeys.publicKey(parts[1]));
				}
			}
			return keys;
		}
		err.println("note: checking checkpoint signatures against the keys stored in the database; pass "
				+ "--public-keys FILE to pin the published keys instead");
		jdbc.query("select key_id, public_key from audit_signing_key", (java.sql.ResultSet rs) -> {
			keys.put(rs.getString(1),
					CheckpointKeys.publicKey(java.util.Base64.getEncoder().encodeToString(rs.getBytes(2))));
		});
		return keys;
	}

	private static void print(VerificationReport report, long millis, PrintStream out) {
		if (report.valid()) {
			out.printf("%s: OK, %d events (sequences %d to %d), %d signed checkpoints, %d ms%n", report.tenant(),
					report.eventsChecked(), report.firstSequence(), report.lastSequence(), report.checkpointsChecked(),
					millis);
			return;
		}
		VerificationReport.BrokenLink link = report.brokenLink();
		out.printf(
				"%s: BROKEN at sequence %d: %s%n  expected hash: %s%n  found hash:    %s%n"
						+ "  (%d events verified before the break)%n",
				report.tenant(), link.sequence(), link.problem(), link.expectedHash(),
				(link.foundHash() != null) ? link.foundHash() : "(none)", report.eventsChecked());
	}

}
