package io.quiver.gateway.console;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * What the console's browser tests do to pages: click through to the next one and wait
 * for it, and save what the browser shows under {@code target/console-screenshots/}.
 */
final class TestConsolePages {

	static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

	private TestConsolePages() {
	}

	/**
	 * Clicks something that loads a new page and waits until it has: a click returns as
	 * soon as the event is dispatched, before the next page replaced the current one.
	 * @param browser the browser
	 * @param target what to click
	 */
	static void navigate(ChromeDriver browser, WebElement target) {
		WebElement page = browser.findElement(By.tagName("html"));
		target.click();
		// The old page is gone once its root element can no longer be asked anything.
		// Chrome reports that either as a stale reference or, mid-navigation, as a node
		// that "does not belong to the document": both mean gone.
		new WebDriverWait(browser, Duration.ofSeconds(30)).until((driver) -> {
			try {
				page.isEnabled();
				return false;
			}
			catch (WebDriverException gone) {
				return true;
			}
		});
	}

	/**
	 * @param browser the browser
	 * @param name the file name without {@code .png}
	 */
	static void screenshot(ChromeDriver browser, String name) throws IOException {
		Files.createDirectories(SCREENSHOTS);
		Files.write(SCREENSHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
	}

}
