package io.quiver.gateway;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import io.quiver.gateway.TestTenancy.PopulatedTenant;
import io.quiver.tenancy.adapter.AdapterService;
import io.quiver.tenancy.apikey.ApiKeyService;
import io.quiver.tenancy.identityprovider.IdentityProviderService;
import io.quiver.tenancy.limit.LimitService;
import io.quiver.tenancy.member.Member;
import io.quiver.tenancy.member.MemberService;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tenant-isolation matrix. For every admin and {@code /v1} endpoint, every caller of
 * tenant A (each role, API key and JWT alike) tries to read, change, use or discover
 * tenant B's objects: through B's path with B's real ids, and through its own path with
 * B's ids (guessing). Each attempt is compared with the same request for an object that
 * does not exist; any difference in status or body, any success, or any of B's
 * identifiers in an answer counts as a leak. B's objects must be unchanged afterwards.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TenantIsolationTests {

	private static final String NO_TENANT = "zz-no-such-tenant";

	@LocalServerPort
	private int port;

	@Autowired
	private ApplicationContext context;

	@Test
	void whenTenantAReachesForTenantBThenEveryAttemptFailsWithoutRevealingAnything() {
		TestHttp http = new TestHttp(this.port);
		PopulatedTenant a = TestTenancy.populatedTenant(this.context);
		PopulatedTenant b = TestTenancy.populatedTenant(this.context);
		List<String> leaks = new ArrayList<>();
		int attempts = 0;
		for (Map.Entry<String, String> caller : a.credentials().entrySet()) {
			// Every caller is genuinely authenticated in A, or the matrix would prove
			// nothing.
			assertThat(http.get("/admin/v1/tenants/" + a.slug(), caller.getValue()).statusCode()).as(caller.getKey())
				.isEqualTo(200);
			for (Endpoint endpoint : endpoints()) {
				String bId = endpoint.kind().of(b);
				String guess = endpoint.kind().guess();
				// B's objects through B's path, against a tenant that does not exist.
				HttpResponse<String> real = call(http, endpoint, b.slug(), bId, caller.getValue());
				HttpResponse<String> control = call(http, endpoint, NO_TENANT, guess, caller.getValue());
				attempts++;
				compare(leaks, caller.getKey() + " " + endpoint + " in B", real, control, b, b.slug(), bId, NO_TENANT,
						guess, true);
				// Registering a version under a guessed name in A's own namespace just
				// creates
				// A's own adapter; that is no attempt on B.
				if (endpoint.kind() != Kind.NONE && !endpoint.path().endsWith("/versions")) {
					// B's ids guessed inside A's own path, against ids that exist
					// nowhere.
					HttpResponse<String> guessed = call(http, endpoint, a.slug(), bId, caller.getValue());
					HttpResponse<String> missing = call(http, endpoint, a.slug(), guess, caller.getValue());
					attempts++;
					compare(leaks, caller.getKey() + " " + endpoint + " in A with B's id", guessed, missing, b,
							a.slug(), bId, a.slug(), guess, false);
				}
			}
			for (String model : List.of(b.adapter(), b.adapter() + "@v1", b.slug() + "/" + b.adapter() + "@v1")) {
				String guess = model.replace(b.adapter(), "zz-missing-bot").replace(b.slug(), NO_TENANT);
				for (String path : List.of("/v1/chat/completions", "/v1/completions")) {
					String body = path.contains("chat")
							? "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
							: "{\"model\":\"%s\",\"prompt\":\"hi\"}";
					HttpResponse<String> real = http.post(path, caller.getValue(), body.formatted(model));
					HttpResponse<String> control = http.post(path, caller.getValue(), body.formatted(guess));
					attempts++;
					compare(leaks, caller.getKey() + " POST " + path + " model=" + model, real, control, b, model,
							model, guess, guess, true);
				}
				HttpResponse<String> real = http.get("/v1/models/" + model.replace("/", "%2F"), caller.getValue());
				HttpResponse<String> control = http.get("/v1/models/" + guess.replace("/", "%2F"), caller.getValue());
				attempts++;
				compare(leaks, caller.getKey() + " GET /v1/models/" + model, real, control, b, model, model, guess,
						guess, true);
			}
			HttpResponse<String> models = http.get("/v1/models", caller.getValue());
			attempts++;
			if (containsAny(models.body(), b.identifiers())) {
				leaks.add(caller.getKey() + " GET /v1/models lists B's adapter");
			}
			for (String list : List.of("/members", "/service-accounts", "/api-keys", "/identity-providers", "/adapters",
					"/usage", "/limits", "")) {
				HttpResponse<String> own = http.get("/admin/v1/tenants/" + a.slug() + list, caller.getValue());
				attempts++;
				if (containsAny(own.body(), b.identifiers())) {
					leaks.add(caller.getKey() + " GET own " + list + " shows B's objects");
				}
			}
		}
		assertUnchanged(http, b);
		System.out.printf(Locale.ROOT, "Tenant isolation matrix: %d callers, %d attempts, %d leaks%n",
				a.credentials().size(), attempts, leaks.size());
		assertThat(leaks).as("leaks").isEmpty();
		assertThat(attempts).isGreaterThan(500);
	}

	private void compare(List<String> leaks, String attempt, HttpResponse<String> real, HttpResponse<String> control,
			PopulatedTenant b, String realTenant, String realId, String controlTenant, String controlId,
			boolean mustFail) {
		if (mustFail && real.statusCode() < 400) {
			leaks.add(attempt + ": succeeded with " + real.statusCode());
			return;
		}
		if (real.statusCode() != control.statusCode()) {
			leaks.add(attempt + ": " + real.statusCode() + " where a missing object gives " + control.statusCode());
			return;
		}
		if (real.statusCode() >= 400 && !normalize(real.body(), realTenant, realId)
			.equals(normalize(control.body(), controlTenant, controlId))) {
			leaks.add(attempt + ": body differs from a missing object's: " + real.body() + " vs " + control.body());
			return;
		}
		List<String> others = new ArrayList<>(b.identifiers());
		others.remove(realId);
		others.remove(realTenant);
		others.removeIf((id) -> realId != null && realId.contains(id));
		if (containsAny(real.body(), others)) {
			leaks.add(attempt + ": answer names B's objects: " + real.body());
		}
	}

	private void assertUnchanged(TestHttp http, PopulatedTenant b) {
		String path = "/admin/v1/tenants/" + b.slug();
		assertThat(http.get(path + "/api-keys/" + b.apiKey(), b.admin()).statusCode()).isEqualTo(200);
		assertThat(this.context.getBean(ApiKeyService.class).find(b.tenant().getId(), b.apiKey()).getRevokedAt())
			.isNull();
		MemberService members = this.context.getBean(MemberService.class);
		assertThat(members.find(b.tenant(), Member.USER, b.user()).getRole().id()).isEqualTo("member");
		assertThat(members.find(b.tenant(), Member.SERVICE_ACCOUNT, b.serviceAccount()).getRole().id())
			.isEqualTo("tenant_admin");
		assertThat(this.context.getBean(IdentityProviderService.class).list(b.tenant())).hasSize(1);
		AdapterService adapters = this.context.getBean(AdapterService.class);
		assertThat(adapters.versions(b.tenant(), b.adapter())).hasSize(1)
			.allSatisfy((version) -> assertThat(version.isReady()).isTrue());
		assertThat(adapters.find(b.tenant(), b.adapter()).getDefaultVersion()).isNull();
		LimitService limits = this.context.getBean(LimitService.class);
		assertThat(limits.ofTenant(b.tenant().getId()).requestsPerMinute()).isEqualTo(100_000);
		assertThat(limits.ofKey(b.tenant(), b.apiKey()).requestsPerMinute()).isEqualTo(100_000);
		assertThat(this.context.getBean(ApiKeyService.class).list(b.tenant().getId())).hasSize(5);
	}

	private static HttpResponse<String> call(TestHttp http, Endpoint endpoint, String tenant, String id,
			String credential) {
		String path = endpoint.path().replace("{t}", tenant).replace("{id}", (id != null) ? id : "");
		String body = (endpoint.body() != null) ? endpoint.body().replace("{t}", tenant) : null;
		return http.send(endpoint.method(), path, credential, body);
	}

	private static String normalize(String body, String tenant, String id) {
		String result = body;
		if (id != null && !id.isEmpty()) {
			result = result.replace(id, "{id}");
		}
		return result.replace(tenant, "{t}");
	}

	private static boolean containsAny(String body, List<String> identifiers) {
		return identifiers.stream().anyMatch((id) -> id != null && !id.isEmpty() && body.contains(id));
	}

	private static List<Endpoint> endpoints() {
		String t = "/admin/v1/tenants/{t}";
		String member = "{\"subject\":\"guess-subject\",\"role\":\"member\"}";
		String idp = "{\"issuer\":\"https://idp.example.com/guess\",\"jwksUri\":\"https://idp.example.com/jwks\","
				+ "\"audience\":\"quiver\",\"rolesClaim\":\"roles\"}";
		String limits = "{\"requestsPerMinute\":1}";
		String version = "{\"sourceUri\":\"s3://x/y\",\"sha256\":\"" + "cd".repeat(32)
				+ "\",\"rank\":8,\"targetModules\":[\"q_proj\"],\"baseModel\":\"" + TestWorker.BASE_MODEL + "\"}";
		return List.of(new Endpoint("GET", "/admin/v1/tenants", Kind.NONE, null),
				new Endpoint("POST", "/admin/v1/tenants", Kind.NONE, "{\"slug\":\"{t}\"}"),
				new Endpoint("GET", t, Kind.NONE, null), new Endpoint("GET", t + "/members", Kind.NONE, null),
				new Endpoint("POST", t + "/members", Kind.NONE, member),
				new Endpoint("GET", t + "/members/{id}", Kind.USER, null),
				new Endpoint("PATCH", t + "/members/{id}", Kind.USER, "{\"role\":\"auditor\"}"),
				new Endpoint("DELETE", t + "/members/{id}", Kind.USER, null),
				new Endpoint("GET", t + "/service-accounts", Kind.NONE, null),
				new Endpoint("POST", t + "/service-accounts", Kind.NONE, member),
				new Endpoint("GET", t + "/service-accounts/{id}", Kind.SERVICE_ACCOUNT, null),
				new Endpoint("PATCH", t + "/service-accounts/{id}", Kind.SERVICE_ACCOUNT, "{\"role\":\"auditor\"}"),
				new Endpoint("DELETE", t + "/service-accounts/{id}", Kind.SERVICE_ACCOUNT, null),
				new Endpoint("GET", t + "/api-keys", Kind.NONE, null),
				new Endpoint("POST", t + "/api-keys", Kind.NONE, "{\"name\":\"guess\",\"scopes\":[\"inference\"]}"),
				new Endpoint("GET", t + "/api-keys/{id}", Kind.API_KEY, null),
				new Endpoint("DELETE", t + "/api-keys/{id}", Kind.API_KEY, null),
				new Endpoint("POST", t + "/api-keys/{id}/rotate", Kind.API_KEY, "{\"overlap\":\"PT0S\"}"),
				new Endpoint("GET", t + "/api-keys/{id}/limits", Kind.API_KEY, null),
				new Endpoint("PUT", t + "/api-keys/{id}/limits", Kind.API_KEY, limits),
				new Endpoint("GET", t + "/identity-providers", Kind.NONE, null),
				new Endpoint("POST", t + "/identity-providers", Kind.NONE, idp),
				new Endpoint("GET", t + "/identity-providers/{id}", Kind.IDENTITY_PROVIDER, null),
				new Endpoint("PUT", t + "/identity-providers/{id}", Kind.IDENTITY_PROVIDER, idp),
				new Endpoint("DELETE", t + "/identity-providers/{id}", Kind.IDENTITY_PROVIDER, null),
				new Endpoint("GET", t + "/adapters", Kind.NONE, null),
				new Endpoint("GET", t + "/adapters/{id}", Kind.ADAPTER, null),
				new Endpoint("PATCH", t + "/adapters/{id}", Kind.ADAPTER, "{\"defaultVersion\":\"v1\"}"),
				new Endpoint("POST", t + "/adapters/{id}/versions", Kind.ADAPTER, version),
				new Endpoint("GET", t + "/adapters/{id}/versions", Kind.ADAPTER, null),
				new Endpoint("GET", t + "/adapters/{id}/versions/v1", Kind.ADAPTER, null),
				new Endpoint("PATCH", t + "/adapters/{id}/versions/v1", Kind.ADAPTER, "{\"status\":\"disabled\"}"),
				new Endpoint("GET", t + "/limits", Kind.NONE, null),
				new Endpoint("PUT", t + "/limits", Kind.NONE, limits),
				new Endpoint("GET", t + "/usage", Kind.NONE, null),
				new Endpoint("GET", t + "/audit/events", Kind.NONE, null));
	}

	private record Endpoint(String method, String path, Kind kind, String body) {

		@Override
		public String toString() {
			return this.method + " " + this.path;
		}

	}

	private enum Kind {

		NONE, USER, SERVICE_ACCOUNT, API_KEY, IDENTITY_PROVIDER, ADAPTER;

		String of(PopulatedTenant tenant) {
			return switch (this) {
				case NONE -> null;
				case USER -> tenant.user();
				case SERVICE_ACCOUNT -> tenant.serviceAccount();
				case API_KEY -> tenant.apiKey();
				case IDENTITY_PROVIDER -> tenant.identityProvider();
				case ADAPTER -> tenant.adapter();
			};
		}

		String guess() {
			String random = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
			return switch (this) {
				case NONE -> null;
				case USER -> "mem_" + random;
				case SERVICE_ACCOUNT -> "sa_" + random;
				case API_KEY -> "key_" + random;
				case IDENTITY_PROVIDER -> "idp_" + random;
				case ADAPTER -> "bot-" + random;
			};
		}

	}

}
