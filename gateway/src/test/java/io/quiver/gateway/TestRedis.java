package io.quiver.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * The Redis tests may use: {@code QUIVER_TEST_REDIS_URL}, by default
 * {@code redis://127.0.0.1:6379}, if it answers {@code PING}.
 */
public final class TestRedis {

	private static final String URL = System.getenv().getOrDefault("QUIVER_TEST_REDIS_URL", "redis://127.0.0.1:6379");

	private static volatile Boolean available;

	private TestRedis() {
	}

	public static String url() {
		return URL;
	}

	/**
	 * @return whether Redis answers (asked once per JVM)
	 */
	public static boolean available() {
		Boolean result = available;
		if (result == null) {
			result = ping();
			available = result;
		}
		return result;
	}

	private static boolean ping() {
		URI uri = URI.create(URL);
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(uri.getHost(), (uri.getPort() > 0) ? uri.getPort() : 6379), 500);
			socket.setSoTimeout(500);
			OutputStream out = socket.getOutputStream();
			out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			byte[] answer = new byte[7];
			int read = in.read(answer);
			return read > 0 && new String(answer, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
		}
		catch (IOException ex) {
			return false;
		}
	}

}
