package io.quiver.gateway.console;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.quiver.audit.AuditOutcome;
import io.quiver.audit.AuditRecord;
import io.quiver.audit.chain.CanonicalJson;
import io.quiver.audit.checkpoint.Checkpoint;
import io.quiver.audit.checkpoint.JdbcCheckpoints;
import io.quiver.audit.query.AuditPage;
import io.quiver.audit.query.AuditQuery;
import io.quiver.audit.query.JdbcAuditQueries;
import io.quiver.audit.verify.ChainVerifier;
import io.quiver.audit.verify.VerificationReport;
import io.quiver.gateway.auditing.GatewayAudit;
import io.quiver.gateway.security.Caller;
import io.quiver.tenancy.tenant.Tenant;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * A tenant's audit trail for auditors: filtered pages, one event with its before and
 * after, a JSON Lines export, and the chain's verification against its last signed
 * checkpoint. Exports and verifications are recorded in the trail itself.
 */
@Controller
class ConsoleAuditController {

	private static final int PAGE_SIZE = 50;

	private static final int EXPORT_PAGE = 1000;

	private static final Set<String> OUTCOMES = Set.of("success", "failure", "denied");

	private final ConsoleTenants tenants;

	private final JdbcAuditQueries queries;

	private final JdbcCheckpoints checkpoints;

	private final ChainVerifier verifier;

	private final GatewayAudit audit;

	ConsoleAuditController(ConsoleTenants tenants, JdbcAuditQueries queries, JdbcCheckpoints checkpoints,
			ChainVerifier verifier, GatewayAudit audit) {
		this.tenants = tenants;
		this.queries = queries;
		this.checkpoints = checkpoints;
		this.verifier = verifier;
		this.audit = audit;
	}

	@GetMapping("/console/t/{tenantSlug}/audit")
	String events(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@ModelAttribute("filter") AuditFilter filter, Model model) {
		Tenant owner = this.tenants.open(caller, tenant, "audit:read");
		try {
			AuditPage page = this.queries.find(filter.query(owner.getSlug(), PAGE_SIZE));
			model.addAttribute("events", page.events());
			model.addAttribute("nextCursor", page.nextCursor());
		}
		catch (IllegalArgumentException ex) {
			model.addAttribute("events", List.of());
			model.addAttribute("error", ex.getMessage());
		}
		return page(owner, model);
	}

	@GetMapping("/console/t/{tenantSlug}/audit/events/{sequence}")
	String event(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@PathVariable long sequence, Model model) {
		Tenant owner = this.tenants.open(caller, tenant, "audit:read");
		AuditRecord record = this.queries
			.find(new AuditQuery(owner.getSlug(), null, null, null, null, null, null, null, sequence - 1, 1))
			.events()
			.stream()
			.filter((candidate) -> candidate.sequence() == sequence)
			.findFirst()
			.orElseThrow(ConsoleNotFoundException::new);
		model.addAttribute("tenant", owner);
		model.addAttribute("record", record);
		model.addAttribute("page", "audit");
		return "console/audit-event";
	}

	@GetMapping("/console/t/{tenantSlug}/audit/export")
	ResponseEntity<StreamingResponseBody> export(@AuthenticationPrincipal Caller caller,
			@PathVariable("tenantSlug") String tenant, @ModelAttribute("filter") AuditFilter filter,
			HttpServletRequest request) {
		Tenant owner = this.tenants.open(caller, tenant, "audit:read");
		AuditQuery query = filter.query(owner.getSlug(), EXPORT_PAGE);
		// Recorded before streaming: an export the browser aborts still happened.
		this.audit.auditTrailUsed(request, owner.getSlug(), "audit.exported", AuditOutcome.SUCCESS, null,
				Map.of("filters", filter.described()));
		StreamingResponseBody body = (out) -> {
			BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
			this.queries.forEachDocument(query, (document) -> {
				try {
					writer.write(CanonicalJson.write(document));
					writer.write('\n');
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			});
			writer.flush();
		};
		return ResponseEntity.ok()
			.contentType(MediaType.parseMediaType("application/jsonl"))
			.header("Content-Disposition", "attachment; filename=\"audit-" + owner.getSlug() + ".jsonl\"")
			.body(body);
	}

	@PostMapping("/console/t/{tenantSlug}/audit/verify")
	String verify(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			HttpServletRequest request, Model model) {
		Tenant owner = this.tenants.open(caller, tenant, "audit:read");
		VerificationReport report = this.verifier.verify(owner.getSlug());
		Map<String, Object> metadata = new LinkedHashMap<>();
		metadata.put("events_checked", report.eventsChecked());
		metadata.put("checkpoints_checked", report.checkpointsChecked());
		if (report.brokenLink() != null) {
			metadata.put("broken_sequence", report.brokenLink().sequence());
		}
		this.audit.auditTrailUsed(request, owner.getSlug(), "audit.verified",
				report.valid() ? AuditOutcome.SUCCESS : AuditOutcome.FAILURE, report.valid() ? null : "chain_broken",
				metadata);
		model.addAttribute("report", report);
		model.addAttribute("filter", new AuditFilter(null, null, null, null, null, null));
		model.addAttribute("events",
				this.queries.find(new AuditFilter(null, null, null, null, null, null).query(owner.getSlug(), PAGE_SIZE))
					.events());
		return page(owner, model);
	}

	private String page(Tenant owner, Model model) {
		model.addAttribute("tenant", owner);
		model.addAttribute("checkpoint", lastCheckpoint(owner.getSlug()));
		model.addAttribute("page", "audit");
		return "console/audit";
	}

	private Checkpoint lastCheckpoint(String tenant) {
		return this.checkpoints.latestSignedBefore(tenant, Instant.now().plusSeconds(1)).orElse(null);
	}

	/**
	 * The audit page's filter form; every field optional.
	 *
	 * @param action an action or a prefix ending in {@code .*}
	 * @param outcome {@code success}, {@code failure} or {@code denied}
	 * @param actor a user id or key public id
	 * @param from first day (UTC), {@code YYYY-MM-DD}
	 * @param to last day (UTC), {@code YYYY-MM-DD}
	 * @param cursor where the page starts
	 */
	record AuditFilter(String action, String outcome, String actor, String from, String to, String cursor) {

		AuditQuery query(String tenant, int limit) {
			String normalizedOutcome = blankToNull(this.outcome);
			if (normalizedOutcome != null) {
				normalizedOutcome = normalizedOutcome.toLowerCase(Locale.ROOT);
				if (!OUTCOMES.contains(normalizedOutcome)) {
					throw new IllegalArgumentException("Outcome must be success, failure or denied.");
				}
			}
			long after = (blankToNull(this.cursor) != null) ? JdbcAuditQueries.afterSequence(this.cursor) : 0;
			return new AuditQuery(tenant, day(this.from, 0), day(this.to, 1), blankToNull(this.actor),
					blankToNull(this.action), normalizedOutcome, null, null, after, limit);
		}

		Map<String, Object> described() {
			Map<String, Object> filters = new LinkedHashMap<>();
			filters.put("action", blankToNull(this.action));
			filters.put("outcome", blankToNull(this.outcome));
			filters.put("actor", blankToNull(this.actor));
			filters.put("from", blankToNull(this.from));
			filters.put("to", blankToNull(this.to));
			filters.values().removeIf(Objects::isNull);
			return filters;
		}

		private static Instant day(String value, int plusDays) {
			if (blankToNull(value) == null) {
				return null;
			}
			try {
				return LocalDate.parse(value.trim()).plusDays(plusDays).atStartOfDay(ZoneOffset.UTC).toInstant();
			}
			catch (DateTimeParseException ex) {
				throw new IllegalArgumentException("Dates must read YYYY-MM-DD.");
			}
		}

		private static String blankToNull(String value) {
			return (value == null || value.isBlank()) ? null : value.trim();
		}

	}

}
