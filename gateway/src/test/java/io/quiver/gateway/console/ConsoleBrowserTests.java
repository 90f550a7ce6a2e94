package io.quiver.gateway.console;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.quiver.audit.checkpoint.JdbcCheckpoints;
import io.quiver.gateway.TestAdapters;
import io.quiver.gateway.TestBrowsers;
import io.quiver.gateway.TestWorkers;
import io.quiver.gateway.TestWorkers.RunningWorker;
import io.quiver.tenancy.apikey.ApiKeyPrincipal;
import io.quiver.tenancy.apikey.ApiKeyService;
import io.quiver.tenancy.limit.LimitService;
import io.quiver.tenancy.limit.Limits;
import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.tenant.TenantService;
import io.quiver.testing.TestDatabase;
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
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console as its users meet it: a real headless Chromium signs in, issues a key,
 * calls {@code /v1} with it against a real worker, chats in the playground, finds both
 * requests in the overview and the audit log, verifies the chain, exports it, revokes the
 * key, and is refused another tenant's pages. Each page is saved as a screenshot under
 * {@code target/console-screenshots/}. The test database comes from test-support, so the
 * embedded one stays off, and the bootstrap admin's password file lands under
 * {@code target/}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "quiver.database.embedded=false", "quiver.home=target/console-home",
				"quiver.security.last-used-flush-interval=200ms",
				// Low enough that an oversized upload stays small.
				"spring.servlet.multipart.max-request-size=256KB" })
// No other test shares this context; closing it after the class, while its database still
// exists, keeps its shutdown from waiting on a database the JVM's exit has already
// dropped.
@DirtiesContext
class ConsoleBrowserTests {

	private static final RunningWorker worker = TestWorkers.shared();

	private static ChromeDriver browser;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	@LocalServerPort
	private int port;

	@Value("${quiver.home}")
	private String home;

	@Autowired
	private TenantService tenants;

	@Autowired
	private ConsoleAccounts accounts;

	@Autowired
	private ApiKeyService keys;

	@Autowired
	private JdbcCheckpoints checkpoints;

	@Autowired
	private LimitService limits;

	@DynamicPropertySource
	static void workers(DynamicPropertyRegistry registry) {
		registry.add("quiver.routing.workers", worker::url);
	}

	/**
	 * Other test classes of this JVM share its database and may already have created the
	 * bootstrap admin, with its password written under their own {@code quiver.home}.
	 * Forgetting that account lets this context's start create it afresh, as on a new
	 * installation.
	 */
	@BeforeAll
	static void forgetEarlierBootstrapAdmin() throws SQLException {
		try (Connection connection = TestDatabase.get().connect(); Statement statement = connection.createStatement()) {
			statement.execute("""
					do $$ begin
					  if to_regclass('console_accounts') is not null then
					    delete from console_accounts where username = 'admin';
					  end if;
					end $$""");
		}
	}

	@BeforeAll
	static void startBrowser() throws IOException {
		Files.createDirectories(TestConsolePages.SCREENSHOTS);
		browser = TestBrowsers.chromium();
	}

	@AfterAll
	static void stopBrowser() {
		if (browser != null) {
			browser.quit();
		}
	}

	@BeforeEach
	void signOut() {
		browser.manage().deleteAllCookies();
	}

	@Test
	void whenAdminIssuesAKeyAndUsesItThenTheRequestShowsInOverviewAndAuditLog() throws Exception {
		signIn(ConsoleBootstrap.USERNAME, bootstrapPassword());
		assertThat(browser.getCurrentUrl()).endsWith("/console/t/default");
		screenshot("02-overview");

		browser.get(url("/console/t/default/keys"));
		browser.findElement(By.id("key-name")).sendKeys("browser test");
		navigate(browser.findElement(By.id("create-key")));
		String secret = browser.findElement(By.id("new-secret")).getDomProperty("value");
		assertThat(secret).startsWith("qvr_");
		ApiKeyPrincipal key = this.keys.authenticate(secret).orElseThrow();
		screenshot("03-api-key-created");

		HttpResponse<String> completion = chat(secret);
		assertThat(completion.statusCode()).as(completion.body()).isEqualTo(200);
		assertThat(completion.body()).contains("\"choices\"");

		browser.get(url("/console/t/default/playground"));
		WebElement prompt = browser.findElement(By.id("pg-prompt"));
		prompt.clear();
		prompt.sendKeys("Hello from the playground");
		browser.findElement(By.id("pg-send")).click();
		new WebDriverWait(browser, Duration.ofSeconds(60))
			.until((driver) -> driver.findElement(By.id("pg-status")).getText().contains("completion tokens"));
		assertThat(browser.findElement(By.id("pg-answer")).getText()).isNotBlank();
		screenshot("04-playground");

		// Inference events reach the trail in the background, batched: wait for ours.
		String filtered = url("/console/t/default/audit?action=inference.completed");
		browser.get(filtered);
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (browser.findElements(By.cssSelector("#events tbody tr")).size() < 2 && System.nanoTime() < deadline) {
			Thread.sleep(500);
			browser.get(filtered);
		}
		assertThat(browser.findElement(By.id("events")).getText()).contains("inference.completed")
			.contains(worker.baseModel())
			.contains(key.publicId())
			.contains(ConsoleBootstrap.USERNAME);
		screenshot("05-audit-log-inference");

		browser.get(url("/console/t/default/audit?action=api_key.created"));
		navigate(browser.findElement(By.cssSelector("#events tbody tr:last-child a")));
		assertThat(browser.findElement(By.id("changes")).getText()).contains("browser test").contains("inference");
		assertThat(browser.getPageSource()).doesNotContain(secret);
		screenshot("06-audit-event-detail");

		this.checkpoints.checkpoint("default");
		browser.get(url("/console/t/default/audit"));
		assertThat(browser.findElement(By.id("last-checkpoint")).getText()).startsWith("Last signed checkpoint");
		navigate(browser.findElement(By.id("verify")));
		assertThat(browser.findElement(By.id("verification")).getText()).contains("Chain verified");
		screenshot("07-audit-log-verified");

		HttpResponse<String> export = get("/console/t/default/audit/export?action=api_key.*");
		assertThat(export.statusCode()).isEqualTo(200);
		assertThat(export.body().lines()).isNotEmpty()
			.allSatisfy((line) -> assertThat(line).contains("\"api_key."))
			.noneMatch((line) -> line.contains(secret));

		browser.get(url("/console/t/default"));
		assertThat(Long.parseLong(browser.findElement(By.id("stat-requests")).getText())).isPositive();
		screenshot("08-overview-with-traffic");

		browser.get(url("/console/t/default/keys"));
		WebElement row = browser.findElements(By.cssSelector("#keys tbody tr"))
			.stream()
			.filter((candidate) -> candidate.getText().contains("browser test"))
			.findFirst()
			.orElseThrow();
		navigate(row.findElement(By.cssSelector("button.danger")));
		assertThat(browser.findElement(By.cssSelector(".alert.info")).getText()).contains("revoked");
		assertThat(browser.getPageSource()).doesNotContain(secret);
		screenshot("09-api-key-revoked");
		assertThat(chat(secret).statusCode()).isEqualTo(401);
	}

	/**
	 * The whole round a tenant admin makes: a key used from outside, an adapter uploaded
	 * and answering in the playground from the real worker, the worker holding it, the
	 * key rotated with an overlap, its limits set, and both requests in usage and the
	 * audit log; another tenant's pages stay out of reach.
	 */
	@Test
	void whenTenantAdminUploadsAnAdapterThenItAnswersAndShowsInUsageAndAuditLog() throws Exception {
		Tenant own = this.tenants.create("a" + Long.toString(System.nanoTime(), 36), "Adapter team", "test");
		String slug = own.getSlug();
		String username = "admin-" + slug;
		this.accounts.create(own.getId(), username, "correct horse battery", ConsoleRole.TENANT_ADMIN);
		signIn(username, "correct horse battery");
		assertThat(browser.getCurrentUrl()).endsWith("/console/t/" + slug);

		browser.get(url("/console/t/" + slug + "/adapters"));
		assertThat(browser.findElement(By.cssSelector(".empty")).getText()).contains("No adapters yet");
		screenshot("15-adapters-empty");

		// Files of a real PEFT adapter the worker's generator made for its model.
		Path adapter = worker.adapters().resolve("demo-support");
		Path config = adapter.resolve("adapter_config.json");
		Path weights = adapter.resolve("adapter_model.safetensors");
		upload("support-bot", weights, weights);
		assertThat(browser.findElement(By.id("upload-config-error")).getText()).contains("adapter_config.json");
		assertThat(browser.findElement(By.id("upload-config")).getDomAttribute("aria-invalid")).isEqualTo("true");
		screenshot("16-adapter-upload-refused");
		Path oversized = Files.write(Path.of("target", "oversized.safetensors"), new byte[300 * 1024]);
		upload("support-bot", config, oversized);
		assertThat(browser.getCurrentUrl()).endsWith("/console/t/" + slug + "/adapters?upload=too-large");
		assertThat(browser.findElement(By.id("upload-weights-error")).getText()).contains("too large")
			.contains("256 KB in all");
		screenshot("16b-adapter-upload-too-large");
		String writer = this.keys.issue(own.getId(), "writer", Set.of("adapters:write"), null, "test").secret();
		Map<String, byte[]> parts = new LinkedHashMap<>();
		parts.put("adapter_config", Files.readAllBytes(config));
		parts.put("adapter_model", Files.readAllBytes(oversized));
		HttpResponse<String> admin = this.http.send(
				HttpRequest.newBuilder(URI.create(url("/admin/v1/tenants/" + slug + "/adapters/support-bot/versions")))
					.header("Authorization", "Bearer " + writer)
					.header("Content-Type", "multipart/form-data; boundary=quiver-test-boundary")
					.POST(HttpRequest.BodyPublishers.ofByteArray(TestAdapters.multipart(parts, "quiver-test-boundary")))
					.build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(admin.statusCode()).as(admin.body()).isEqualTo(413);
		assertThat(admin.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		upload("support-bot", config, weights);
		assertThat(browser.getCurrentUrl()).endsWith("/console/t/" + slug + "/adapters/support-bot?registered=v1");
		assertThat(browser.findElement(By.id("served")).getText()).startsWith("v1");
		screenshot("17-adapter-registered");

		browser.get(url("/console/t/" + slug + "/keys"));
		browser.findElement(By.id("key-name")).sendKeys("adapter client");
		navigate(browser.findElement(By.id("create-key")));
		String secret = browser.findElement(By.id("new-secret")).getDomProperty("value");
		ApiKeyPrincipal key = this.keys.authenticate(secret).orElseThrow();
		HttpResponse<String> completion = chat(secret, "support-bot");
		assertThat(completion.statusCode()).as(completion.body()).isEqualTo(200);
		assertThat(completion.body()).contains("\"choices\"");

		browser.get(url("/console/t/" + slug + "/adapters/support-bot"));
		navigate(browser.findElement(By.id("try-adapter")));
		assertThat(new Select(browser.findElement(By.id("pg-model"))).getFirstSelectedOption().getText())
			.isEqualTo("support-bot");
		browser.findElement(By.id("pg-send")).click();
		new WebDriverWait(browser, Duration.ofSeconds(60))
			.until((driver) -> driver.findElement(By.id("pg-status")).getText().contains("completion tokens"));
		assertThat(browser.findElement(By.id("pg-answer")).getText()).isNotBlank();
		screenshot("18-playground-adapter");

		// The gateway learns at once where it loaded the adapter; the page reads that.
		browser.get(url("/console/t/" + slug + "/adapters/support-bot"));
		assertThat(browser.findElement(By.cssSelector("#version-v1 .held-by")).getText()).startsWith("w-");
		screenshot("19-adapter-held-by-worker");

		browser.get(url("/console/t/" + slug + "/keys"));
		WebElement row = browser.findElement(By.id("key-" + key.publicId()));
		new Select(row.findElement(By.name("overlapHours"))).selectByValue("1");
		navigate(row.findElement(By.cssSelector("form.rotate button")));
		String successor = browser.findElement(By.id("new-secret")).getDomProperty("value");
		assertThat(successor).startsWith("qvr_").isNotEqualTo(secret);
		assertThat(browser.findElement(By.id("rotation-overlap")).getText()).contains("keeps working until");
		screenshot("20-api-key-rotated");
		assertThat(chat(secret, "support-bot").statusCode()).as("the old key, in its overlap").isEqualTo(200);
		String successorId = this.keys.authenticate(successor).orElseThrow().publicId();
		assertThat(chat(successor, worker.baseModel()).statusCode()).isEqualTo(200);
		String lastUsed = "#key-" + key.publicId() + " td:nth-child(6)";
		browser.get(url("/console/t/" + slug + "/keys"));
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (browser.findElement(By.cssSelector(lastUsed)).getText().equals("never")
				&& System.nanoTime() < deadline) {
			Thread.sleep(250);
			browser.get(url("/console/t/" + slug + "/keys"));
		}
		assertThat(browser.findElement(By.cssSelector(lastUsed)).getText()).endsWith("UTC");

		browser.get(url("/console/t/" + slug + "/limits"));
		assertThat(browser.findElement(By.id("tenant-requestsPerMinute")).getDomAttribute("readonly")).isNotNull();
		assertThat(browser.findElements(By.id("save-tenant-limits"))).isEmpty();
		navigate(browser.findElement(By.cssSelector("a[href$='/limits/keys/" + successorId + "']")));
		WebElement rpm = browser.findElement(By.id("key-requestsPerMinute"));
		rpm.sendKeys("lots");
		browser.findElement(By.id("key-tokensPerMinute")).sendKeys("100000");
		navigate(browser.findElement(By.id("save-key-limits")));
		assertThat(browser.findElement(By.id("key-requestsPerMinute-error")).getText()).contains("whole number");
		assertThat(browser.findElement(By.id("key-tokensPerMinute")).getDomProperty("value")).isEqualTo("100000");
		screenshot("21-key-limits-refused");
		rpm = browser.findElement(By.id("key-requestsPerMinute"));
		rpm.clear();
		rpm.sendKeys("600");
		navigate(browser.findElement(By.id("save-key-limits")));
		assertThat(browser.findElement(By.cssSelector(".alert.success")).getText()).contains("saved");
		assertThat(this.limits.ofKeyPublicId(own.getId(), successorId).requestsPerMinute()).isEqualTo(600);
		browser.get(url("/console/t/" + slug + "/limits"));
		assertThat(browser.findElement(By.id("key-limits")).getText()).contains("600").contains("100000");
		screenshot("22-limits");

		// Usage is written off the request path, within a second or so.
		String adapterId = slug + "/support-bot@v1";
		String usagePage = url("/console/t/" + slug + "/usage");
		browser.get(usagePage);
		deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (!usageShows(adapterId, "4") && System.nanoTime() < deadline) {
			Thread.sleep(500);
			browser.get(usagePage);
		}
		assertThat(browser.findElement(By.id("usage-requests")).getText()).isEqualTo("4");
		assertThat(browser.findElement(By.id("usage-adapters")).getText()).contains(adapterId + " 3");
		assertThat(browser.findElement(By.id("usage-keys")).getText()).contains(key.publicId() + " 2")
			.contains(successorId + " 1")
			.contains("People");
		screenshot("23-usage");
		HttpResponse<String> csv = get("/console/t/" + slug + "/usage/export");
		assertThat(csv.statusCode()).isEqualTo(200);
		assertThat(csv.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("text/csv"));
		assertThat(csv.body().lines().toList()).first()
			.isEqualTo("day,api_key,adapter,requests,errors,prompt_tokens,completion_tokens");
		assertThat(csv.body()).contains("," + key.publicId() + "," + adapterId + ",2,0,");
		browser.get(usagePage + "?from=2026-02-01&to=2026-01-01");
		assertThat(browser.findElement(By.cssSelector("[role=alert]")).getText())
			.contains("'from' must lie before 'to'");

		browser.get(url("/console/t/" + slug));
		assertThat(Long.parseLong(browser.findElement(By.id("stat-tokens")).getText())).isPositive();
		screenshot("24-overview-tokens");

		String filtered = url("/console/t/" + slug + "/audit?action=inference.completed");
		browser.get(filtered);
		deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (browser.findElements(By.cssSelector("#events tbody tr")).size() < 4 && System.nanoTime() < deadline) {
			Thread.sleep(500);
			browser.get(filtered);
		}
		assertThat(browser.findElement(By.id("events")).getText()).contains(adapterId)
			.contains(key.publicId())
			.contains(username);
		screenshot("25-audit-log-adapter-requests");
		browser.get(url("/console/t/" + slug + "/audit?action=adapter.registered"));
		assertThat(browser.findElement(By.id("events")).getText()).contains("support-bot");

		for (String foreign : new String[] { "/console/t/default/adapters", "/console/t/default/usage",
				"/console/t/default/usage/export", "/console/t/default/limits" }) {
			assertThat(get(foreign).statusCode()).as(foreign).isEqualTo(404);
		}
		browser.get(url("/console/t/default/adapters"));
		assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Page not found");
		screenshot("26-other-tenant-adapters-not-found");
	}

	@Test
	void whenMemberOrAuditorSignsInThenTheyChangeNothing() throws Exception {
		Tenant own = this.tenants.create("m" + Long.toString(System.nanoTime(), 36), "Read-only team", "test");
		String slug = own.getSlug();
		this.accounts.create(own.getId(), "member-" + slug, "correct horse battery", ConsoleRole.MEMBER);
		this.accounts.create(own.getId(), "auditor-" + slug, "correct horse battery", ConsoleRole.AUDITOR);

		signIn("member-" + slug, "correct horse battery");
		assertThat(browser.getCurrentUrl()).endsWith("/console/t/" + slug);
		assertThat(browser.findElement(By.cssSelector(".menu")).getText()).contains("Adapters", "Usage", "Playground")
			.doesNotContain("API keys", "Limits", "Audit log");
		browser.get(url("/console/t/" + slug + "/adapters"));
		assertThat(browser.findElements(By.tagName("form")).stream().map((form) -> form.getDomAttribute("action")))
			.allSatisfy((action) -> assertThat(action).endsWith("/console/sign-out"));
		screenshot("27-adapters-member-read-only");
		browser.get(url("/console/t/" + slug + "/usage"));
		assertThat(browser.findElement(By.cssSelector(".empty")).getText()).contains("No usage in this range");
		screenshot("28-usage-empty");
		for (String page : new String[] { "/keys", "/limits", "/audit" }) {
			assertThat(get("/console/t/" + slug + page).statusCode()).as(page).isEqualTo(404);
		}
		// With a valid CSRF token, so only the role stands in the way.
		assertThat(
				post("/console/t/" + slug + "/adapters/register",
						"name=nope&sourceUri=s3://b/nope&sha256=" + "ab".repeat(32)
								+ "&rank=8&targetModules=q_proj&baseModel=" + worker.baseModel())
					.statusCode())
			.isEqualTo(404);
		assertThat(post("/console/t/" + slug + "/limits", "requestsPerMinute=1").statusCode()).isEqualTo(404);

		browser.manage().deleteAllCookies();
		signIn("auditor-" + slug, "correct horse battery");
		assertThat(browser.getCurrentUrl()).endsWith("/console/t/" + slug);
		for (String page : new String[] { "/adapters", "/usage", "/limits", "/keys", "/playground" }) {
			assertThat(get("/console/t/" + slug + page).statusCode()).as(page).isEqualTo(404);
		}
		assertThat(get("/console/t/" + slug + "/audit").statusCode()).isEqualTo(200);
	}

	@Test
	void whenTenantAdminOpensAnotherTenantsPagesThenTheyAreNotFound() throws Exception {
		Tenant own = this.tenants.create("c" + Long.toString(System.nanoTime(), 36), "Acme support", "test");
		String username = "admin-" + own.getSlug();
		this.accounts.create(own.getId(), username, "correct horse battery", ConsoleRole.TENANT_ADMIN);

		signIn(username, "correct horse battery");
		assertThat(browser.getCurrentUrl()).endsWith("/console/t/" + own.getSlug());
		assertThat(browser.findElements(By.id("tenant-switch"))).isEmpty();
		browser.get(url("/console/t/" + own.getSlug() + "/keys"));
		assertThat(browser.findElement(By.cssSelector(".empty")).getText()).contains("No keys yet");
		screenshot("10-api-keys-empty");
		// The form offers only scopes an admin holds; a forged one meets the admin API's
		// rule.
		HttpResponse<String> forged = post("/console/t/" + own.getSlug() + "/keys",
				"name=root&scopes=inference&scopes=platform:admin");
		assertThat(forged.statusCode()).isEqualTo(422);
		assertThat(forged.body()).contains("id=\"key-scopes-error\"")
			.contains("You cannot grant scopes you do not hold.");
		assertThat(this.keys.list(own.getId())).isEmpty();
		browser.get(url("/console/t/" + own.getSlug() + "/audit"));
		screenshot("11-audit-log-new-tenant");

		for (String foreign : new String[] { "/console/t/default", "/console/t/default/keys",
				"/console/t/default/audit", "/console/t/default/audit/events/1", "/console/switch?tenant=default",
				"/console/t/default/adapters/any", "/console/t/default/limits/keys/any",
				"/console/t/default/playground" }) {
			assertThat(get(foreign).statusCode()).as(foreign).isEqualTo(404);
		}
		browser.get(url("/console/t/default/keys"));
		assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Page not found");
		screenshot("12-other-tenant-not-found");
	}

	@Test
	void whenPlatformAdminSwitchesTenantThenTheOtherTenantsPagesOpen() throws Exception {
		Tenant other = this.tenants.create("s" + Long.toString(System.nanoTime(), 36), "Search team", "test");
		signIn(ConsoleBootstrap.USERNAME, bootstrapPassword());
		new Select(browser.findElement(By.id("tenant-switch"))).selectByValue(other.getSlug());
		navigate(browser.findElement(By.cssSelector(".switcher button")));
		assertThat(browser.getCurrentUrl()).endsWith("/console/t/" + other.getSlug());
		assertThat(browser.findElement(By.tagName("h1")).getText()).contains("Search team");
		screenshot("13-tenant-switched");

		// A tenant's own quota is the platform's to set.
		browser.get(url("/console/t/" + other.getSlug() + "/limits"));
		browser.findElement(By.id("tenant-concurrentRequests")).sendKeys("-3");
		browser.findElement(By.id("tenant-tokenBudget")).sendKeys("5000000");
		navigate(browser.findElement(By.id("save-tenant-limits")));
		assertThat(browser.findElement(By.id("tenant-concurrentRequests-error")).getText()).contains("0 or more");
		screenshot("29-tenant-limits-refused");
		WebElement concurrent = browser.findElement(By.id("tenant-concurrentRequests"));
		concurrent.clear();
		concurrent.sendKeys("16");
		new Select(browser.findElement(By.id("tenant-budgetPeriod"))).selectByValue("day");
		navigate(browser.findElement(By.id("save-tenant-limits")));
		assertThat(browser.findElement(By.cssSelector(".alert.success")).getText()).contains("saved");
		assertThat(this.limits.ofTenant(other.getId())).isEqualTo(new Limits(null, null, 16, 5_000_000L, "day"));
	}

	@Test
	void whenPasswordIsWrongThenSignInSaysSoWithoutSayingWhy() throws Exception {
		browser.get(url("/console/t/default/keys"));
		assertThat(browser.getCurrentUrl()).endsWith("/console/sign-in");
		screenshot("01-sign-in");
		signIn(ConsoleBootstrap.USERNAME, "not the password");
		assertThat(browser.findElement(By.cssSelector("[role=alert]")).getText())
			.isEqualTo("Wrong username or password.");
		screenshot("14-sign-in-refused");
		signIn("nobody", "not the password");
		assertThat(browser.findElement(By.cssSelector("[role=alert]")).getText())
			.isEqualTo("Wrong username or password.");
	}

	@Test
	void whenSignedInThenTheSessionCookieIsHttpOnlyStrictAndFormsNeedTheCsrfToken() throws Exception {
		signIn(ConsoleBootstrap.USERNAME, bootstrapPassword());
		Cookie session = browser.manage().getCookieNamed("QUIVER_CONSOLE");
		assertThat(session).isNotNull();
		assertThat(session.isHttpOnly()).isTrue();
		assertThat(session.isSecure()).isTrue();
		assertThat(session.getSameSite()).isEqualTo("Strict");

		HttpResponse<String> forged = this.http.send(HttpRequest.newBuilder(URI.create(url("/console/t/default/keys")))
			.header("Cookie", "QUIVER_CONSOLE=" + session.getValue())
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("name=forged&scopes=inference"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(forged.statusCode()).isEqualTo(403);
	}

	@Test
	void whenBootstrapAdminWasCreatedThenItsPasswordFileIsTheOwnersOnly() throws IOException {
		Path file = Path.of(this.home, "bootstrap-admin-password");
		assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
				PosixFilePermission.OWNER_WRITE);
		String password = bootstrapPassword();
		assertThat(this.accounts.findByUsername(ConsoleBootstrap.USERNAME)).hasValueSatisfying(
				(account) -> assertThat(account.passwordHash()).startsWith("{bcrypt}").doesNotContain(password));
	}

	private void signIn(String username, String password) {
		browser.get(url("/console/sign-in"));
		browser.findElement(By.id("username")).sendKeys(username);
		browser.findElement(By.id("password")).sendKeys(password);
		navigate(browser.findElement(By.cssSelector("form button[type=submit]")));
	}

	private static void navigate(WebElement target) {
		TestConsolePages.navigate(browser, target);
	}

	private static void upload(String name, Path config, Path weights) {
		WebElement field = browser.findElement(By.id("upload-name"));
		field.clear();
		field.sendKeys(name);
		browser.findElement(By.id("upload-config")).sendKeys(config.toAbsolutePath().toString());
		browser.findElement(By.id("upload-weights")).sendKeys(weights.toAbsolutePath().toString());
		navigate(browser.findElement(By.id("upload")));
	}

	private static boolean usageShows(String adapterId, String requests) {
		List<WebElement> total = browser.findElements(By.id("usage-requests"));
		return !total.isEmpty() && total.getFirst().getText().equals(requests)
				&& browser.findElement(By.id("usage-adapters")).getText().contains(adapterId);
	}

	private String bootstrapPassword() throws IOException {
		return Files.readString(Path.of(this.home, "bootstrap-admin-password")).strip();
	}

	private HttpResponse<String> chat(String secret) throws IOException, InterruptedException {
		return chat(secret, worker.baseModel());
	}

	private HttpResponse<String> chat(String secret, String model) throws IOException, InterruptedException {
		String body = "{\"model\":\"" + model
				+ "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],\"max_tokens\":4,\"temperature\":0}";
		return this.http.send(HttpRequest.newBuilder(URI.create(url("/v1/chat/completions")))
			.header("Authorization", "Bearer " + secret)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * A GET with the browser's session, to read what a browser does not show: status
	 * codes and downloads.
	 */
	private HttpResponse<String> get(String path) throws IOException, InterruptedException {
		Cookie session = browser.manage().getCookieNamed("QUIVER_CONSOLE");
		return this.http.send(HttpRequest.newBuilder(URI.create(url(path)))
			.header("Cookie", "QUIVER_CONSOLE=" + session.getValue())
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * A form POST with the browser's session and the CSRF token of the page it shows.
	 */
	private HttpResponse<String> post(String path, String form) throws IOException, InterruptedException {
		Cookie session = browser.manage().getCookieNamed("QUIVER_CONSOLE");
		String csrf = browser.findElement(By.cssSelector("input[name=_csrf]")).getDomProperty("value");
		return this.http.send(HttpRequest.newBuilder(URI.create(url(path)))
			.header("Cookie", "QUIVER_CONSOLE=" + session.getValue())
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form + "&_csrf=" + csrf))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private String url(String path) {
		return "http://localhost:" + this.port + path;
	}

	private void screenshot(String name) throws IOException {
		TestConsolePages.screenshot(browser, name);
	}

}
