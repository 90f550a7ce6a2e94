package io.quiver.gateway.console;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.quiver.audit.AuditEvent;
import io.quiver.gateway.TestBrowsers;
import io.quiver.gateway.TestIdentityProvider;
import io.quiver.tenancy.identityprovider.IdentityProviderService;
import io.quiver.tenancy.member.Member;
import io.quiver.tenancy.member.MemberService;
import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.tenant.TenantService;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Signing in to the console with one's organisation, in a real headless Chromium against
 * a real OpenID Connect server in the test (mock-oauth2-server): the browser leaves for
 * the provider's sign-in page, comes back with a code that the gateway redeems with its
 * PKCE verifier, and lands in the console as the role its ID token maps to, in the tenant
 * whose issuer signed it. Callbacks this browser did not start, and people without a
 * role, are refused with a clear message; every outcome is audited. Signed in that way, a
 * tenant admin manages members and the identity provider itself, while everyone else only
 * reads.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ConsoleIdentityBrowserTests {

	private static final String CLIENT_ID = "quiver-console";

	private static ChromeDriver browser;

	private final TestIdentityProvider idp = TestIdentityProvider.get();

	@LocalServerPort
	private int port;

	@Autowired
	private TenantService tenants;

	@Autowired
	private IdentityProviderService providers;

	@Autowired
	private MemberService members;

	@Autowired
	private JdbcTemplate jdbc;

	private Tenant tenant;

	private String issuerId;

	private Instant started;

	@BeforeAll
	static void startBrowser() {
		browser = TestBrowsers.chromium();
	}

	@AfterAll
	static void stopBrowser() {
		if (browser != null) {
			browser.quit();
		}
	}

	@BeforeEach
	void organisationWithItsOwnProvider() {
		browser.manage().deleteAllCookies();
		this.started = Instant.now().minusSeconds(1);
		this.tenant = this.tenants.create("o" + Long.toString(System.nanoTime(), 36), "Acme research", "test");
		this.issuerId = "org-" + this.tenant.getSlug();
		this.providers.register(this.tenant, this.idp.consoleSettings(this.issuerId, "realm_access.roles", CLIENT_ID),
				"test");
	}

	@Test
	void whenPersonSignsInWithTheirOrganisationThenTheyLandInItsConsoleWithTheMappedRole() throws Exception {
		forgetRecordedRequests();
		browser.get(url("/console/sign-in"));
		TestConsolePages.screenshot(browser, "20-sign-in-with-organisation");
		String anonymous = browser.manage().getCookieNamed("QUIVER_CONSOLE").getValue();
		signInWithOrganisation(this.tenant.getSlug(), "alice", "quiver-admin");
		Cookie session = browser.manage().getCookieNamed("QUIVER_CONSOLE");
		assertThat(session.getValue()).as("a new session id at sign-in").isNotEqualTo(anonymous);
		assertThat(session.isHttpOnly()).isTrue();
		assertThat(session.getSameSite()).isEqualTo("Strict");

		assertThat(browser.getCurrentUrl()).endsWith("/console/t/" + this.tenant.getSlug());
		assertThat(browser.findElement(By.cssSelector(".who")).getText()).contains("alice");
		assertThat(browser.findElement(By.cssSelector(".menu")).getText()).contains("API keys")
			.contains("Members")
			.contains("Identity provider");
		TestConsolePages.screenshot(browser, "21-signed-in-with-organisation");

		List<RecordedRequest> requests = recordedRequests();
		RecordedRequest authorization = requests.stream()
			.filter((request) -> request.getPath().startsWith("/" + this.issuerId + "/authorize"))
			.findFirst()
			.orElseThrow();
		assertThat(authorization.getRequestUrl().queryParameter("code_challenge_method")).isEqualTo("S256");
		assertThat(authorization.getRequestUrl().queryParameter("code_challenge")).hasSize(43);
		assertThat(authorization.getRequestUrl().queryParameter("nonce")).hasSize(43);
		assertThat(authorization.getRequestUrl().queryParameter("client_id")).isEqualTo(CLIENT_ID);
		RecordedRequest token = requests.stream()
			.filter((request) -> request.getPath().equals("/" + this.issuerId + "/token"))
			.findFirst()
			.orElseThrow();
		String form = URLDecoder.decode(token.getBody().readUtf8(), StandardCharsets.UTF_8);
		assertThat(form).contains("grant_type=authorization_code").containsPattern("code_verifier=[\\w-]{43}");

		assertThat(events(this.tenant.getSlug(), "auth.succeeded")).anySatisfy((event) -> {
			assertThat(event.get("actor_id")).isEqualTo("alice");
			assertThat(event.get("actor_auth_method")).isEqualTo("jwt");
		});
	}

	@Test
	void whenTokenMapsToNoRoleThenSignInIsRefusedWithAClearMessage() throws Exception {
		signInWithOrganisation(this.tenant.getSlug(), "mallory");

		assertThat(browser.getCurrentUrl()).contains("/console/sign-in?sso-error=no_role");
		assertThat(browser.findElement(By.id("sso-error")).getText()).contains("has no role in this console");
		TestConsolePages.screenshot(browser, "22-sign-in-without-role");
		browser.get(url("/console/t/" + this.tenant.getSlug()));
		assertThat(browser.getCurrentUrl()).endsWith("/console/sign-in");
		assertThat(failures("no_role")).isNotEmpty();
	}

	@Test
	void whenCallbackCarriesAStateThisBrowserDidNotStartThenItIsRefused() throws Exception {
		browser.get(url("/console/sign-in"));
		browser.findElement(By.id("organisation")).sendKeys(this.tenant.getSlug());
		TestConsolePages.navigate(browser, browser.findElement(By.id("sso-continue")));
		waitForProviderSignInPage();
		URI authorization = URI.create(browser.getCurrentUrl());
		assertThat(authorization.getQuery()).contains("state=");

		// A code and state the browser never got from the provider: forged, or another
		// person's callback replayed in this browser.
		browser.get(url(ConsoleOidcCallbackFilter.PATH + "?code=forged&state=forged"));
		assertThat(browser.getCurrentUrl()).contains("/console/sign-in?sso-error=invalid_state");
		assertThat(browser.findElement(By.id("sso-error")).getText()).contains("could not be matched");
		TestConsolePages.screenshot(browser, "23-sign-in-callback-refused");
		browser.get(url("/console/t/" + this.tenant.getSlug()));
		assertThat(browser.getCurrentUrl()).endsWith("/console/sign-in");
		assertThat(failures("invalid_state")).isNotEmpty();
	}

	@Test
	void whenOrganisationHasNoSingleSignOnThenTheSignInPageSaysSo() {
		browser.get(url("/console/sign-in"));
		browser.findElement(By.id("organisation")).sendKeys("no-such-organisation");
		TestConsolePages.navigate(browser, browser.findElement(By.id("sso-continue")));
		assertThat(browser.findElement(By.id("sso-error")).getText())
			.contains("Single sign-on is not set up for that organisation");
	}

	@Test
	void whenTenantAdminManagesMembersThenEveryChangeShowsAndOthersOnlyRead() throws Exception {
		signInWithOrganisation(this.tenant.getSlug(), "alice", "quiver-admin");
		browser.get(url("/console/t/" + this.tenant.getSlug() + "/members"));
		assertThat(browser.findElement(By.id("people-empty")).getText()).contains("Nobody is listed yet");
		assertThat(browser.findElement(By.id("service-accounts-empty")).getText()).contains("No service accounts");
		TestConsolePages.screenshot(browser, "24-members-empty");

		addMember("user", "carol", "Carol", "auditor");
		assertThat(browser.findElement(By.id("notice")).getText()).isEqualTo("Added Carol as Auditor.");
		addMember("service_account", "ci-bot", "", "member");
		assertThat(browser.findElement(By.id("service-accounts")).getText()).contains("ci-bot").contains("Member");

		addMember("user", "carol", "Carol again", "member");
		assertThat(browser.findElement(By.id("member-subject-error")).getText()).contains("already a member");
		assertThat(browser.findElement(By.id("member-subject")).getDomAttribute("aria-invalid")).isEqualTo("true");
		TestConsolePages.screenshot(browser, "25-members-duplicate-refused");

		WebElement carol = row("people", "carol");
		new Select(carol.findElement(By.tagName("select"))).selectByValue("member");
		TestConsolePages.navigate(browser, carol.findElement(By.cssSelector("button.secondary")));
		assertThat(browser.findElement(By.id("notice")).getText()).isEqualTo("Carol's role is now Member.");
		TestConsolePages.screenshot(browser, "26-members");

		TestConsolePages.navigate(browser,
				row("service-accounts", "ci-bot").findElement(By.cssSelector("button.danger")));
		assertThat(browser.findElement(By.id("notice")).getText()).contains("ci-bot is no longer a member");
		assertThat(browser.findElements(By.id("service-accounts"))).isEmpty();

		// Carol's membership alone gives her a role: her token carries no mapped claim.
		browser.manage().deleteAllCookies();
		signInWithOrganisation(this.tenant.getSlug(), "carol");
		// A member reads usage, so the overview is her first page.
		assertThat(browser.getCurrentUrl()).endsWith("/console/t/" + this.tenant.getSlug());
		browser.get(url("/console/t/" + this.tenant.getSlug() + "/members"));
		assertThat(browser.findElement(By.id("read-only")).getText()).contains("Only tenant admins");
		assertThat(browser.findElement(By.cssSelector(".menu")).getText()).contains("Playground")
			.doesNotContain("Audit log")
			.doesNotContain("API keys")
			.doesNotContain("Identity provider");
		assertThat(browser.findElements(By.id("add-member"))).isEmpty();
		assertThat(browser.findElements(By.cssSelector("#people form"))).isEmpty();
		TestConsolePages.screenshot(browser, "27-members-read-only");

		// A change she sends anyway, with a valid CSRF token, is refused as if the page
		// did not exist.
		submitForm("/console/t/" + this.tenant.getSlug() + "/members", "subject", "eve", "role", "tenant_admin");
		assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Page not found");
		browser.get(url("/console/t/" + this.tenant.getSlug() + "/identity-providers"));
		assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Page not found");
		assertThat(this.members.list(this.tenant, "user")).extracting(Member::getSubject).containsExactly("carol");
	}

	@Test
	void whenTenantAdminEditsTheIdentityProviderThenProblemsShowNextToTheirFields() throws Exception {
		Tenant other = this.tenants.create("p" + Long.toString(System.nanoTime(), 36), "Other org", "test");
		this.providers.register(other, this.idp.settings("taken-" + other.getSlug(), "roles"), "test");
		signInWithOrganisation(this.tenant.getSlug(), "alice", "quiver-admin");
		String page = url("/console/t/" + this.tenant.getSlug() + "/identity-providers");
		browser.get(page);
		assertThat(browser.findElement(By.cssSelector(".provider")).getText()).contains(this.idp.issuer(this.issuerId))
			.contains("quiver-admin")
			.contains(CLIENT_ID);
		assertThat(browser.findElement(By.id("callback-url")).getText()).isEqualTo(url(ConsoleOidcCallbackFilter.PATH));
		TestConsolePages.screenshot(browser, "28-identity-provider");

		TestConsolePages.navigate(browser, browser.findElement(By.cssSelector(".provider .actions a")));
		assertThat(browser.findElement(By.id("idp-issuer")).getDomProperty("value"))
			.isEqualTo(this.idp.issuer(this.issuerId));
		replace("idp-jwks-uri", "http://idp.example.com/jwks");
		replace("idp-audience", "");
		replace("idp-role-mappings", "quiver-admin = tenant_admin\nnot a mapping");
		TestConsolePages.navigate(browser, browser.findElement(By.id("save-provider")));
		assertThat(browser.findElement(By.id("idp-jwks-uri-error")).getText()).contains("https");
		assertThat(browser.findElement(By.id("idp-audience-error")).getText()).contains("required");
		assertThat(browser.findElement(By.id("idp-role-mappings-error")).getText()).contains("Line 2");
		assertThat(browser.findElement(By.id("idp-audience")).getDomAttribute("aria-invalid")).isEqualTo("true");
		TestConsolePages.screenshot(browser, "29-identity-provider-errors");

		replace("idp-jwks-uri", this.idp.settings(this.issuerId, "roles").jwksUri());
		replace("idp-audience", "quiver-api");
		replace("idp-role-mappings", "quiver-admin = tenant_admin\nquiver-auditor = auditor");
		TestConsolePages.navigate(browser, browser.findElement(By.id("save-provider")));
		assertThat(browser.findElement(By.id("notice")).getText()).startsWith("Saved");
		assertThat(this.providers.list(this.tenant).getFirst().getAudience()).isEqualTo("quiver-api");

		replace("idp-issuer", this.idp.issuer("taken-" + other.getSlug()));
		replace("idp-jwks-uri", this.idp.settings("taken-" + other.getSlug(), "roles").jwksUri());
		replace("idp-audience", "quiver");
		TestConsolePages.navigate(browser, browser.findElement(By.id("save-provider")));
		assertThat(browser.findElement(By.id("idp-issuer-error")).getText()).contains("already registered");
		TestConsolePages.screenshot(browser, "30-identity-provider-duplicate");

		while (!browser.findElements(By.cssSelector(".provider button.danger")).isEmpty()) {
			TestConsolePages.navigate(browser, browser.findElement(By.cssSelector(".provider button.danger")));
		}
		assertThat(browser.findElement(By.id("notice")).getText()).startsWith("Removed");
		assertThat(browser.findElement(By.id("providers-empty")).getText()).contains("No identity provider yet");
		TestConsolePages.screenshot(browser, "31-identity-provider-empty");
		assertThat(events(this.tenant.getSlug(), "identity_provider.removed")).hasSize(1);

		// Another tenant's pages look exactly like missing ones.
		for (String foreign : new String[] { "/members", "/identity-providers",
				"/identity-providers?edit=" + this.providers.list(other).getFirst().getPublicId() }) {
			browser.get(url("/console/t/" + other.getSlug() + foreign));
			assertThat(browser.findElement(By.tagName("h1")).getText()).as(foreign).isEqualTo("Page not found");
		}
	}

	private void addMember(String kind, String subject, String displayName, String role) {
		browser.findElement(By.id("service_account".equals(kind) ? "kind-service-account" : "kind-user")).click();
		replace("member-subject", subject);
		replace("member-name", displayName);
		new Select(browser.findElement(By.id("member-role"))).selectByValue(role);
		TestConsolePages.navigate(browser, browser.findElement(By.id("add-member")));
	}

	private static WebElement row(String table, String subject) {
		return browser.findElements(By.cssSelector("#" + table + " tbody tr"))
			.stream()
			.filter((candidate) -> candidate.getText().contains(subject))
			.findFirst()
			.orElseThrow();
	}

	private static void replace(String id, String value) {
		WebElement field = browser.findElement(By.id(id));
		field.clear();
		if (!value.isEmpty()) {
			field.sendKeys(value);
		}
	}

	/**
	 * Posts a form the page does not offer, with the session's CSRF token, as a person
	 * tampering with the page would.
	 */
	private void submitForm(String path, String... fields) {
		String token = browser.findElement(By.cssSelector("input[name=_csrf]")).getDomProperty("value");
		StringBuilder script = new StringBuilder("const f = document.createElement('form'); f.method = 'post';")
			.append("f.action = arguments[0];");
		List<String> values = new ArrayList<>(List.of("_csrf", token));
		values.addAll(List.of(fields));
		for (int i = 0; i < values.size(); i += 2) {
			script.append("{ const i = document.createElement('input'); i.type = 'hidden'; i.name = arguments[")
				.append(i + 1)
				.append("]; i.value = arguments[")
				.append(i + 2)
				.append("]; f.appendChild(i); }");
		}
		script.append("document.body.appendChild(f); f.submit();");
		List<Object> arguments = new ArrayList<>();
		arguments.add(path);
		arguments.addAll(values);
		WebElement old = browser.findElement(By.tagName("html"));
		browser.executeScript(script.toString(), arguments.toArray());
		new WebDriverWait(browser, Duration.ofSeconds(30)).until((driver) -> {
			try {
				old.isEnabled();
				return false;
			}
			catch (org.openqa.selenium.WebDriverException gone) {
				return true;
			}
		});
	}

	/**
	 * Chooses the organisation, signs in on the provider's own page with the given
	 * Keycloak realm roles, and waits until the browser is back in the console.
	 */
	private void signInWithOrganisation(String organisation, String subject, String... roles) throws IOException {
		browser.get(url("/console/sign-in"));
		browser.findElement(By.id("organisation")).sendKeys(organisation);
		TestConsolePages.navigate(browser, browser.findElement(By.id("sso-continue")));
		waitForProviderSignInPage();
		browser.findElement(By.name("username")).sendKeys(subject);
		if (roles.length > 0) {
			browser.findElement(By.name("claims"))
				.sendKeys("{\"realm_access\":{\"roles\":[\"" + String.join("\",\"", roles) + "\"]}}");
		}
		TestConsolePages.screenshot(browser, "organisation-sign-in-page");
		browser.findElement(By.cssSelector("input[type=submit]")).click();
		new WebDriverWait(browser, Duration.ofSeconds(30)).until((driver) -> {
			String current = driver.getCurrentUrl();
			return current.startsWith(url("/console/")) && !current.contains("/console/signed-in");
		});
	}

	private void waitForProviderSignInPage() {
		String provider = this.idp.issuer(this.issuerId);
		new WebDriverWait(browser, Duration.ofSeconds(30))
			.until((driver) -> driver.getCurrentUrl().startsWith(provider + "/authorize")
					&& !driver.findElements(By.name("username")).isEmpty());
	}

	private List<Map<String, Object>> events(String chain, String action) throws InterruptedException {
		return awaitRows("select * from audit_event where tenant = ? and action = ? and occurred_at >= ?", chain,
				action, OffsetDateTime.ofInstant(this.started, ZoneOffset.UTC));
	}

	/**
	 * @param reason the reason recorded
	 * @return refused sign-ins with an organisation, in the platform chain like every
	 * refused credential
	 */
	private List<Map<String, Object>> failures(String reason) throws InterruptedException {
		return awaitRows(
				"select * from audit_event where tenant = ? and action = 'auth.failed' and reason = ?"
						+ " and resource_id like '/console/sign-in/oidc%' and occurred_at >= ?",
				AuditEvent.PLATFORM_TENANT, reason, OffsetDateTime.ofInstant(this.started, ZoneOffset.UTC));
	}

	/** Failures reach the trail in the background, batched: waits for them. */
	private List<Map<String, Object>> awaitRows(String sql, Object... arguments) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		List<Map<String, Object>> rows = this.jdbc.queryForList(sql, arguments);
		while (rows.isEmpty() && System.nanoTime() < deadline) {
			Thread.sleep(200);
			rows = this.jdbc.queryForList(sql, arguments);
		}
		return rows;
	}

	/** The provider records every request of every test; only this test's count. */
	private void forgetRecordedRequests() {
		recordedRequests();
	}

	private List<RecordedRequest> recordedRequests() {
		List<RecordedRequest> requests = new ArrayList<>();
		while (true) {
			try {
				requests.add(this.idp.server().takeRequest(100, TimeUnit.MILLISECONDS));
			}
			catch (RuntimeException none) {
				// It says so by throwing once the queue stays empty.
				return requests;
			}
		}
	}

	private String url(String path) {
		return "http://localhost:" + this.port + path;
	}

}
