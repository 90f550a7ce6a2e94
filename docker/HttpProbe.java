import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The images' HTTP client for HEALTHCHECK and the worker's preStop drain: the JRE images carry no curl or wget, and
 * adding one would need a package mirror at build time.
 *
 * <pre>
 * java -cp /opt/quiver/probe HttpProbe URL                                  GET, exit 0 on a 2xx
 * java -cp /opt/quiver/probe HttpProbe --post URL [--then-sleep SECONDS]   POST, then wait (let in-flight work end)
 * </pre>
 */
public final class HttpProbe {

	private HttpProbe() {
	}

	public static void main(String[] args) throws Exception {
		boolean post = false;
		String url = null;
		long sleepSeconds = 0;
		for (int i = 0; i < args.length; i++) {
			switch (args[i]) {
				case "--post" -> post = true;
				case "--then-sleep" -> sleepSeconds = Long.parseLong(args[++i]);
				default -> url = args[i];
			}
		}
		if (url == null) {
			System.err.println("usage: HttpProbe [--post] URL [--then-sleep SECONDS]");
			System.exit(2);
		}
		int status;
		try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()) {
			HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
			request = post ? request.POST(HttpRequest.BodyPublishers.noBody()) : request.GET();
			status = client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
		}
		catch (Exception ex) {
			System.err.println("HttpProbe: " + url + ": " + ex);
			status = -1;
		}
		if (sleepSeconds > 0) {
			Thread.sleep(Duration.ofSeconds(sleepSeconds));
		}
		System.exit((status >= 200 && status < 300) ? 0 : 1);
	}

}
