package io.quiver.audit.query;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.quiver.audit.AuditActor;
import io.quiver.audit.AuditEvent;
import io.quiver.audit.AuditOutcome;
import io.quiver.audit.AuditTrail;
import io.quiver.audit.TestAudit;
import io.quiver.audit.chain.ChainHashes;
import io.quiver.audit.chain.EventDocuments;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.context.WebApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

@SpringBootTest
class AuditAdminControllerTests {

	@Autowired
	WebApplicationContext context;

	@Autowired
	AuditTrail trail;

	@Autowired
	PlatformTransactionManager transactionManager;

	MockMvc mvc;

	String tenant;

	@BeforeEach
	void setUp() {
		this.mvc = MockMvcBuilders.webAppContextSetup(this.context).build();
		this.tenant = TestAudit.tenant("admin");
		record("api_key.created", AuditOutcome.SUCCESS, "api_key", "key_1");
		record("api_key.revoked", AuditOutcome.SUCCESS, "api_key", "key_1");
		record("auth.failed", AuditOutcome.FAILURE, null, null);
		record("adapter.registered", AuditOutcome.DENIED, "adapter", "support-bot");
		record("api_key.created", AuditOutcome.SUCCESS, "api_key", "key_2");
	}

	@Test
	void whenPagingThroughEventsThenCursorsReturnEachEventOnce() throws Exception {
		MvcResult first = this.mvc.perform(get("/admin/v1/tenants/{t}/audit/events?limit=3", this.tenant))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.events.length()").value(3))
			.andExpect(jsonPath("$.events[0].sequence").value(1))
			.andExpect(jsonPath("$.events[0].event.action").value("api_key.created"))
			.andExpect(jsonPath("$.nextCursor").isNotEmpty())
			.andReturn();
		String cursor = com.jayway.jsonpath.JsonPath.read(first.getResponse().getContentAsString(), "$.nextCursor");
		this.mvc.perform(get("/admin/v1/tenants/{t}/audit/events?limit=3&cursor={c}", this.tenant, cursor))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.events[0].sequence").value(4))
			.andExpect(jsonPath("$.events[1].sequence").value(5));
	}

	@Test
	void whenFilteringByActionPrefixOutcomeAndResourceThenOnlyMatchesReturn() throws Exception {
		this.mvc.perform(get("/admin/v1/tenants/{t}/audit/events?action=api_key.*&resource=api_key:key_1", this.tenant))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.events.length()").value(2))
			.andExpect(jsonPath("$.events[1].event.action").value("api_key.revoked"))
			.andExpect(jsonPath("$.nextCursor").doesNotExist());
		this.mvc.perform(get("/admin/v1/tenants/{t}/audit/events?outcome=denied", this.tenant))
			.andExpect(jsonPath("$.events.length()").value(1))
			.andExpect(jsonPath("$.events[0].event.resource.id").value("support-bot"));
	}

	@Test
	void whenExportingThenEveryLineCarriesHashesThatRecomputeFromTheLine() throws Exception {
		MvcResult pending = this.mvc.perform(get("/admin/v1/tenants/{t}/audit/export", this.tenant))
			.andExpect(request().asyncStarted())
			.andReturn();
		MvcResult result = this.mvc.perform(asyncDispatch(pending))
			.andExpect(status().isOk())
			.andExpect(content().contentType("application/jsonl"))
			.andReturn();
		List<String> lines = Arrays.asList(result.getResponse().getContentAsString(StandardCharsets.UTF_8).split("\n"));
		assertThat(lines).hasSizeGreaterThanOrEqualTo(5);
		String previous = "00".repeat(32);
		for (String line : lines) {
			Map<String, Object> doc = new TreeMap<>(EventDocuments.parse(line));
			String hash = (String) doc.remove("hash");
			String prevHash = (String) doc.remove("prevHash");
			assertThat(prevHash).isEqualTo(previous);
			assertThat(ChainHashes.hex(ChainHashes.hash(ChainHashes.unhex(prevHash), doc))).isEqualTo(hash);
			previous = hash;
		}
	}

	@Test
	void whenVerifyingThenTheReportIsValidAndTheVerificationIsItselfAudited() throws Exception {
		this.mvc.perform(get("/admin/v1/tenants/{t}/audit/verify", this.tenant).header("User-Agent", "auditor/1")
			.header("X-Forwarded-For", "198.51.100.20")
			.with((request) -> {
				request.setRemoteAddr("10.1.1.1");
				return request;
			}))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.valid").value(true))
			.andExpect(jsonPath("$.eventsChecked").value(5));
		this.mvc.perform(get("/admin/v1/tenants/{t}/audit/events?action=audit.verified", this.tenant))
			.andExpect(jsonPath("$.events.length()").value(1))
			.andExpect(jsonPath("$.events[0].event.sourceIp").value("198.51.100.20"))
			.andExpect(jsonPath("$.events[0].event.userAgent").value("auditor/1"))
			.andExpect(jsonPath("$.events[0].event.actor.type").value("anonymous"));
	}

	@Test
	void whenPublicKeysAreRequestedThenTheActiveEd25519KeyIsListed() throws Exception {
		this.mvc.perform(get("/admin/v1/audit/public-keys"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.keys[0].algorithm").value("Ed25519"))
			.andExpect(jsonPath("$.keys[0].active").value(true));
	}

	@Test
	void whenRequestIsInvalidThenTheAnswerIsAProblemDetail() throws Exception {
		this.mvc.perform(get("/admin/v1/tenants/{t}/audit/events", "Not_A_Slug"))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.status").value(400));
		this.mvc.perform(get("/admin/v1/tenants/{t}/audit/events?cursor=garbage!", this.tenant))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
		this.mvc.perform(get("/admin/v1/tenants/{t}/audit/events?from=yesterday", this.tenant))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
	}

	@Test
	void whenCallerTransactionRollsBackThenItsRecordedEventIsGoneToo() {
		String tenant = TestAudit.tenant("joined");
		new TransactionTemplate(this.transactionManager).executeWithoutResult((status) -> {
			this.trail.record(AuditEvent.builder(tenant, "tenant.updated").build());
			status.setRollbackOnly();
		});
		new TransactionTemplate(this.transactionManager)
			.executeWithoutResult((status) -> this.trail.record(AuditEvent.builder(tenant, "tenant.created").build()));
		assertThat(TestAudit.jdbc()
			.queryForList("select action from audit_event where tenant = ? order by sequence", String.class, tenant))
			.containsExactly("tenant.created");
	}

	@Test
	void whenApplicationHasStartedThenItsAuditConfigurationIsInThePlatformChain() throws InterruptedException {
		long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
		long found = 0;
		while (found == 0 && System.nanoTime() < deadline) {
			found = TestAudit.jdbc()
				.queryForObject(
						"select count(*) from audit_event where tenant = '_platform' "
								+ "and action = 'audit.trail_started' and metadata->>'retention_period_days' = '400'",
						Long.class);
			Thread.sleep(20);
		}
		assertThat(found).isPositive();
	}

	private void record(String action, AuditOutcome outcome, String resourceType, String resourceId) {
		this.trail.record(AuditEvent.builder(this.tenant, action)
			.actor(AuditActor.user("admin@example.com", io.quiver.audit.AuthMethod.JWT, "https://idp.example"))
			.resource(resourceType, resourceId)
			.outcome(outcome)
			.build());
	}

}
