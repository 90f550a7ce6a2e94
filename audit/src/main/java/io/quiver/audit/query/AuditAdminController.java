package io.quiver.audit.query;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.quiver.audit.AuditActor;
import io.quiver.audit.AuditActorResolver;
import io.quiver.audit.AuditEvent;
import io.quiver.audit.AuditOutcome;
import io.quiver.audit.AuditTrail;
import io.quiver.audit.ClientAddressResolver;
import io.quiver.audit.chain.CanonicalJson;
import io.quiver.audit.checkpoint.CheckpointKeys;
import io.quiver.audit.verify.ChainVerifier;
import io.quiver.audit.verify.VerificationReport;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * The audit admin API. Who may call it is the gateway's security chain's business; every
 * read, export and verification is itself recorded in the tenant's trail.
 */
@RestController
class AuditAdminController {

	static final MediaType JSON_LINES = MediaType.parseMediaType("application/jsonl");

	private static final int MAX_LIMIT = 1000;

	private static final int EXPORT_PAGE = 1000;

	private final JdbcAuditQueries queries;

	private final ChainVerifier verifier;

	private final CheckpointKeys keys;

	private final AuditTrail trail;

	private final ObjectProvider<AuditActorResolver> actors;

	private final ClientAddressResolver addresses;

	AuditAdminController(JdbcAuditQueries queries, ChainVerifier verifier, CheckpointKeys keys, AuditTrail trail,
			ObjectProvider<AuditActorResolver> actors, ClientAddressResolver addresses) {
		this.queries = queries;
		this.verifier = verifier;
		this.keys = keys;
		this.trail = trail;
		this.actors = actors;
		this.addresses = addresses;
	}

	@GetMapping("/admin/v1/tenants/{tenant}/audit/events")
	AuditPage events(@PathVariable String tenant, @RequestParam(required = false) Instant from,
			@RequestParam(required = false) Instant to, @RequestParam(required = false) String actor,
			@RequestParam(required = false) String action, @RequestParam(required = false) String outcome,
			@RequestParam(required = false) String resource, @RequestParam(required = false) String cursor,
			@RequestParam(defaultValue = "100") int limit, HttpServletRequest request) {
		if (limit < 1 || limit > MAX_LIMIT) {
			throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
		}
		AuditQuery query = query(tenant, from, to, actor, action, outcome, resource, cursor, limit);
		AuditPage page = this.queries.find(query);
		Map<String, Object> metadata = filters(query);
		metadata.put("returned", page.events().size());
		audit(request, tenant, "audit.events_read", AuditOutcome.SUCCESS, null, metadata);
		return page;
	}

	@GetMapping("/admin/v1/tenants/{tenant}/audit/export")
	ResponseEntity<StreamingResponseBody> export(@PathVariable String tenant,
			@RequestParam(required = false) Instant from, @RequestParam(required = false) Instant to,
			@RequestParam(required = false) String actor, @RequestParam(required = false) String action,
			@RequestParam(required = false) String outcome, @RequestParam(required = false) String resource,
			@RequestParam(required = false) String cursor, HttpServletRequest request) {
		AuditQuery query = query(tenant, from, to, actor, action, outcome, resource, cursor, EXPORT_PAGE);
		// Recorded before streaming: an export that the client aborts still happened.
		audit(request, tenant, "audit.exported", AuditOutcome.SUCCESS, null, filters(query));
		StreamingResponseBody body = (out) -> {
			BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
			this.queries.forEachDocument(query, (doc) -> {
				try {
					writer.write(CanonicalJson.write(doc));
					writer.write('\n');
				}
				catch (java.io.IOException ex) {
					throw new UncheckedIOException(ex);
				}
			});
			writer.flush();
		};
		return ResponseEntity.ok()
			.contentType(JSON_LINES)
			.header("Content-Disposition", "attachment; filename=\"audit-" + tenant + ".jsonl\"")
			.body(body);
	}

	@GetMapping("/admin/v1/tenants/{tenant}/audit/verify")
	VerificationReport verify(@PathVariable String tenant, HttpServletRequest request) {
		AuditEvent.requireTenant(tenant);
		VerificationReport report = this.verifier.verify(tenant);
		Map<String, Object> metadata = new LinkedHashMap<>();
		metadata.put("events_checked", report.eventsChecked());
		metadata.put("checkpoints_checked", report.checkpointsChecked());
		if (report.brokenLink() != null) {
			metadata.put("broken_sequence", report.brokenLink().sequence());
		}
		audit(request, tenant, "audit.verified", report.valid() ? AuditOutcome.SUCCESS : AuditOutcome.FAILURE,
				report.valid() ? null : "chain_broken", metadata);
		return report;
	}

	@GetMapping("/admin/v1/audit/public-keys")
	Map<String, List<CheckpointKeys.PublishedKey>> publicKeys() {
		return Map.of("keys", this.keys.published());
	}

	private AuditQuery query(String tenant, Instant from, Instant to, String actor, String action, String outcome,
			String resource, String cursor, int limit) {
		AuditEvent.requireTenant(tenant);
		String normalizedOutcome = null;
		if (outcome != null) {
			normalizedOutcome = AuditOutcome.fromWireValue(outcome.toLowerCase(Locale.ROOT)).wireValue();
		}
		String resourceType = null;
		String resourceId = null;
		if (resource != null) {
			int colon = resource.indexOf(':');
			resourceType = (colon < 0) ? resource : resource.substring(0, colon);
			resourceId = (colon < 0) ? null : resource.substring(colon + 1);
		}
		return new AuditQuery(tenant, from, to, actor, action, normalizedOutcome, resourceType, resourceId,
				JdbcAuditQueries.afterSequence(cursor), limit);
	}

	private static Map<String, Object> filters(AuditQuery query) {
		Map<String, Object> filters = new LinkedHashMap<>();
		filters.put("from", query.from());
		filters.put("to", query.to());
		filters.put("actor", query.actor());
		filters.put("action", query.action());
		filters.put("outcome", query.outcome());
		filters.put("resource_type", query.resourceType());
		filters.put("resource_id", query.resourceId());
		filters.values().removeIf(java.util.Objects::isNull);
		Map<String, Object> metadata = new LinkedHashMap<>();
		metadata.put("filters", filters);
		return metadata;
	}

	private void audit(HttpServletRequest request, String tenant, String action, AuditOutcome outcome, String reason,
			Map<String, Object> metadata) {
		AuditActor actor = this.actors.getIfAvailable(() -> (r) -> AuditActor.anonymous()).resolve(request);
		this.trail.record(AuditEvent.builder(tenant, action)
			.actor(actor)
			.resource("audit_trail", tenant)
			.outcome(outcome, reason)
			.sourceIp(this.addresses.resolve(request))
			.userAgent(request.getHeader("User-Agent"))
			.requestId(request.getHeader("X-Request-Id"))
			.metadata(metadata)
			.build());
	}

}
