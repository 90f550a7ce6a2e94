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

import io.quiver.audit.checkpoint.JdbcCheckpoints;
import io.quiver.gateway.TestBrowsers;
import io.quiver.gateway.TestWorkers;
import io.quiver.gateway.TestWorkers.RunningWorker;
import io.quiver.tenancy.apikey.ApiKeyPrincipal;
import io.quiver.tenancy.apikey.ApiKeyService;
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
		properties = { "quiver.database.embedded=false", "quiver.home=target/console-home" })
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
		browser.get(url("/console/t/" + own.getSlug() + "/audit"));
		screenshot("11-audit-log-new-tenant");

		for (String foreign : new String[] { "/console/t/default", "/console/t/default/keys",
				"/console/t/default/audit", "/console/t/default/audit/events/1", "/console/switch?tenant=default" }) {
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

	private String bootstrapPassword() throws IOException {
		return Files.readString(Path.of(this.home, "bootstrap-admin-password")).strip();
	}

	private HttpResponse<String> chat(String secret) throws IOException, InterruptedException {
		String body = "{\"model\":\"" + worker.baseModel()
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

	private String url(String path) {
		return "http://localhost:" + this.port + path;
	}

	private void screenshot(String name) throws IOException {
		TestConsolePages.screenshot(browser, name);
	}

}
