package io.quiver.worker.adapter;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLSocketFactory;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The download rules that need no model: which URLs a source means, what is refused, and
 * what an error may say. End to end through the worker: {@code AdapterSourcesTests}.
 */
class AdapterDownloadsTests {

	@TempDir
	Path dir;

	HttpServer server;

	@BeforeEach
	void start() throws Exception {
		this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		this.server.createContext("/", (exchange) -> {
			byte[] body = new byte[1000];
			int status = exchange.getRequestURI().getPath().startsWith("/acme/private/") ? 401 : 200;
			exchange.sendResponseHeaders(status, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		});
		this.server.start();
	}

	@AfterEach
	void stop() {
		this.server.stop(0);
	}

	@Test
	void whenHubSourcesAreResolvedThenTheyFollowTheHubsDownloadUrls() {
		URI hub = URI.create("https://hub.example/");
		assertThat(HubAdapterDownloader.resolve(hub, URI.create("hf://acme/legal"), "adapter_config.json"))
			.hasToString("https://hub.example/acme/legal/resolve/main/adapter_config.json");
		assertThat(HubAdapterDownloader.resolve(hub, URI.create("hf://acme/legal@v2/"), "adapter_model.safetensors"))
			.hasToString("https://hub.example/acme/legal/resolve/v2/adapter_model.safetensors");
		assertThat(HubAdapterDownloader.resolve(hub, URI.create("hf://acme/legal@refs/pr/1"), "x"))
			.hasToString("https://hub.example/acme/legal/resolve/refs%2Fpr%2F1/x");
		assertThatExceptionOfType(AdapterException.class)
			.isThrownBy(() -> HubAdapterDownloader.resolve(hub, URI.create("hf://legal"), "x"))
			.withMessageContaining("hf://org/name[@revision]");
	}

	@Test
	void whenHttpsSourcesAreResolvedThenTheFileJoinsThePathAndTheQueryStays() {
		assertThat(HttpAdapterDownloader.fileUri(URI.create("https://blob.example/c/adapters/x?sv=1&sig=abc"),
				"adapter_config.json"))
			.hasToString("https://blob.example/c/adapters/x/adapter_config.json?sv=1&sig=abc");
	}

	@Test
	void whenASourceIsShownThenUserInfoAndQueryAreLeftOut() {
		assertThat(
				new AdapterSource(URI.create("https://user:secret@host.example:8443/a/b?sig=token"), null).redacted())
			.isEqualTo("https://host.example:8443/a/b");
		assertThat(new AdapterSource(URI.create("s3://my_bucket/prefix"), null).redacted())
			.isEqualTo("s3://my_bucket/prefix");
	}

	@Test
	void whenPlainHttpIsNotAllowedThenAnHttpSourceIsRefusedBeforeAnyConnection() {
		try (AdapterDownloads downloads = new AdapterDownloads(config(false, 1 << 20, null))) {
			assertThatExceptionOfType(AdapterException.class)
				.isThrownBy(() -> downloads.fetch("acme/x@v1", new AdapterSource(URI.create(url("/files/x")), null)))
				.withMessageContaining("acme/x@v1")
				.withMessageContaining("allow-http");
		}
	}

	@Test
	void whenASourceLeadsIntoTheNetworkThenItIsRefusedBeforeAnyRequestUnlessItIsTheHub() {
		AtomicInteger requests = new AtomicInteger();
		this.server.createContext("/counted/", (exchange) -> {
			requests.incrementAndGet();
			exchange.sendResponseHeaders(404, -1);
			exchange.close();
		});
		URI hub = URI.create("http://localhost:" + this.server.getAddress().getPort());
		try (AdapterDownloads downloads = new AdapterDownloads(config(true, false, 1 << 20, null, 1 << 20, hub))) {
			assertThatExceptionOfType(AdapterException.class)
				.isThrownBy(() -> downloads.fetch("acme/x@v1",
						new AdapterSource(URI.create(url("/counted/x?sig=secret")), null)))
				.withMessageContaining("acme/x@v1")
				.withMessageContaining("at 127.0.0.1, an address inside the network")
				.withMessageContaining("quiver.worker.sources.allow-private-addresses")
				.withMessageNotContaining("secret");
			// the hub the operator configured is trusted wherever it is
			assertThatExceptionOfType(AdapterException.class)
				.isThrownBy(() -> downloads.fetch("acme/h@v1", new AdapterSource(URI.create("hf://counted/h"), null)))
				.withMessageContaining("404");
		}
		assertThat(requests).hasValue(1);
	}

	@Test
	void whenInternalAddressesAreClassifiedThenEveryPrivateRangeIsCaught() throws Exception {
		for (String internal : List.of("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
				"0.0.0.0", "100.64.0.1", "198.18.0.1", "224.0.0.1", "::1", "::", "fe80::1", "fd00:ec2::254",
				"::ffff:10.0.0.1", "::169.254.169.254", "64:ff9b::a9fe:a9fe")) {
			assertThat(NetworkGuard.isInternal(InetAddress.getByName(internal))).as(internal).isTrue();
		}
		for (String external : List.of("8.8.8.8", "52.95.110.1", "100.128.0.1", "172.32.0.1", "2600:1f18::1",
				"64:ff9b::808:808")) {
			assertThat(NetworkGuard.isInternal(InetAddress.getByName(external))).as(external).isFalse();
		}
	}

	@Test
	void whenATlsConnectionReachesAnInternalAddressThenItIsClosedBeforeTheHandshake() throws Exception {
		NetworkGuard guard = new NetworkGuard(false, List.of());
		SSLSocketFactory factory = guard.socketFactory(URI.create("https://models.example.com/a"), "https://x");
		assertThat(factory.createSocket()).isNotInstanceOf(javax.net.ssl.SSLSocket.class);
		try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			Socket plain = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
			assertThatExceptionOfType(AdapterException.class)
				.isThrownBy(() -> factory.createSocket(plain, "models.example.com", 443, true))
				.withMessageContaining("models.example.com at 127.0.0.1");
			assertThat(plain.isClosed()).isTrue();
		}
		assertThat(new NetworkGuard(true, List.of()).socketFactory(URI.create("https://h/a"), "x"))
			.hasSameClassAs(SSLSocketFactory.getDefault());
	}

	@Test
	void whenAPrivateHubRepositoryIsAskedForWithoutATokenThenTheMessageSaysHowToSetOne() {
		try (AdapterDownloads downloads = new AdapterDownloads(config(true, 1 << 20, null))) {
			assertThatExceptionOfType(AdapterException.class)
				.isThrownBy(
						() -> downloads.fetch("acme/p@v1", new AdapterSource(URI.create("hf://acme/private"), null)))
				.withMessageContaining("401")
				.withMessageContaining("quiver.worker.sources.hf.token")
				.withMessageContaining("HF_TOKEN");
		}
	}

	@Test
	void whenAFileIsLargerThanTheLimitThenItIsRefusedAndNothingIsCached() {
		try (AdapterDownloads downloads = new AdapterDownloads(config(true, 999, null))) {
			assertThatExceptionOfType(AdapterException.class)
				.isThrownBy(
						() -> downloads.fetch("acme/big@v1", new AdapterSource(URI.create(url("/files/big")), null)))
				.withMessageContaining("larger than the 999 bytes");
		}
		assertThat(this.dir.resolve("cache").resolve(AdapterDownloads.folderName("acme/big@v1"))).isEmptyDirectory();
	}

	@Test
	void whenTheCacheOutgrowsItsBudgetThenTheLeastRecentlyUsedDownloadsGoButNotRecentOnes() throws Exception {
		// every file the server sends is 1000 bytes: 2000 per adapter
		try (AdapterDownloads downloads = new AdapterDownloads(config(true, 1 << 20, null, 5000))) {
			Path a = downloads.fetch("a@v1", new AdapterSource(URI.create(url("/files/a")), null)).directory();
			Path b = downloads.fetch("b@v1", new AdapterSource(URI.create(url("/files/b")), null)).directory();
			java.nio.file.Files.setLastModifiedTime(a,
					java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(300)));
			java.nio.file.Files.setLastModifiedTime(b,
					java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(200)));
			Path abandoned = a.resolveSibling(".download-abandoned");
			java.nio.file.Files.createDirectories(abandoned);
			java.nio.file.Files.setLastModifiedTime(abandoned,
					java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(7200)));
			Path c = downloads.fetch("c@v1", new AdapterSource(URI.create(url("/files/c")), null)).directory();
			assertThat(abandoned).doesNotExist();
			assertThat(a).doesNotExist();
			assertThat(b).isDirectory();
			assertThat(c).isDirectory();
			// now every download was used within the last minute: the cache goes over its
			// budget rather than delete what a load may be reading
			assertThat(downloads.fetch("b@v1", new AdapterSource(URI.create(url("/files/b")), null)).directory())
				.isEqualTo(b);
			Path d = downloads.fetch("d@v1", new AdapterSource(URI.create(url("/files/d")), null)).directory();
			assertThat(b).isDirectory();
			assertThat(c).isDirectory();
			assertThat(d).isDirectory();
		}
	}

	@Test
	void whenAnIdIsTurnedIntoAFolderNameThenItIsOneSafeSegment() {
		assertThat(AdapterDownloads.folderName("acme/support@v3")).isEqualTo("acme%2Fsupport%40v3");
		assertThat(AdapterDownloads.folderName("..")).isEqualTo("%2E%2E");
	}

	private String url(String path) {
		return "http://127.0.0.1:" + this.server.getAddress().getPort() + path;
	}

	private AdapterDownloadConfig config(boolean allowHttp, long maxBytes, String token) {
		return config(allowHttp, maxBytes, token, 1 << 20);
	}

	private AdapterDownloadConfig config(boolean allowHttp, long maxBytes, String token, long cacheMaxBytes) {
		return config(allowHttp, true, maxBytes, token, cacheMaxBytes, URI.create(url("")));
	}

	private AdapterDownloadConfig config(boolean allowHttp, boolean allowPrivate, long maxBytes, String token,
			long cacheMaxBytes, URI hub) {
		return new AdapterDownloadConfig(this.dir.resolve("cache"), cacheMaxBytes, Duration.ofSeconds(5),
				Duration.ofSeconds(5), maxBytes, allowHttp, allowPrivate, null, null, false, hub, token, null, null,
				null);
	}

}
