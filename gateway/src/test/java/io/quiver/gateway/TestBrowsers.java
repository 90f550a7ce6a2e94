package io.quiver.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real headless browser for the console's tests: the system's Chromium, driven through
 * the system's ChromeDriver. Nothing is downloaded; when either is missing the tests fail
 * and say what to install, because a browser test that skips proves nothing.
 */
public final class TestBrowsers {

	/** What provides the browser on Debian. */
	public static final String INSTALL = "apt-get install -y chromium chromium-driver";

	private TestBrowsers() {
	}

	/**
	 * @return a new headless Chromium with an empty profile of its own
	 */
	public static ChromeDriver chromium() {
		Path binary = Path.of(System.getProperty("quiver.test.chromium", "/usr/bin/chromium"));
		Path driver = Path.of(System.getProperty("quiver.test.chromedriver", "/usr/bin/chromedriver"));
		if (!Files.isExecutable(binary) || !Files.isExecutable(driver)) {
			throw new IllegalStateException("The console's browser tests need Chromium at " + binary
					+ " and ChromeDriver at " + driver + "; install them with: " + INSTALL);
		}
		Path profile;
		try {
			profile = Files.createTempDirectory("quiver-chromium");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		ChromeOptions options = new ChromeOptions();
		options.setBinary(binary.toFile());
		// Runs as root in CI containers, so no sandbox; and nothing that phones home.
		options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--disable-dev-shm-usage", "--window-size=1280,1000", "--user-data-dir=" + profile);
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile())
			.usingAnyFreePort()
			.withTimeout(Duration.ofSeconds(60))
			.build();
		ChromeDriver browser = new ChromeDriver(service, options);
		browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
		return browser;
	}

}
