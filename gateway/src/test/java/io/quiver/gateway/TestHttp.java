package io.quiver.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP client for tests against a gateway on a local port.
 */
public final class TestHttp {

	private static final AtomicInteger SOURCES = new AtomicInteger();

	private final HttpClient client;

	private final int port;

	/**
	 * Each client calls from its own loopback address (127.0.x.y), so that one test's
	 * failed authentications never count against another's source.
	 * @param port the gateway's port
	 */
	public TestHttp(int port) {
		this.port = port;
		int source = SOURCES.incrementAndGet();
		try {
			this.client = HttpClient.newBuilder()
				.connectTimeout(Duration.ofSeconds(5))
				.version(HttpClient.Version.HTTP_1_1)
				.localAddress(InetAddress
					.getByAddress(new byte[] { 127, 0, (byte) ((source / 250) % 250 + 1), (byte) (source % 250 + 2) }))
				.build();
		}
		catch (java.net.UnknownHostException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public HttpResponse<String> get(String path, String credential) {
		return send("GET", path, credential, null);
	}

	public HttpResponse<String> post(String path, String credential, String json) {
		return send("POST", path, credential, json);
	}

	/**
	 * @param method the HTTP method
	 * @param path the path
	 * @param credential the bearer credential, or {@code null}
	 * @param json a JSON body, or {@code null}
	 * @return the response
	 */
	public HttpResponse<String> send(String method, String path, String credential, String json) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
			.timeout(Duration.ofSeconds(30))
			.method(method,
					(json != null) ? HttpRequest.BodyPublishers.ofString(json) : HttpRequest.BodyPublishers.noBody());
		if (json != null) {
			request.header("Content-Type", "application/json");
		}
		if (credential != null) {
			request.header("Authorization", "Bearer " + credential);
		}
		return send(request.build());
	}

	/**
	 * @param path a path on the gateway, e.g. {@code /v1/models}
	 * @return its absolute URI
	 */
	public URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	/**
	 * @param request any request
	 * @return its response
	 */
	public HttpResponse<String> send(HttpRequest request) {
		try {
			return this.client.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
