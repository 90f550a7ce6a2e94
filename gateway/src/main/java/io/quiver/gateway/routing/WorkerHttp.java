package io.quiver.gateway.routing;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The gateway's HTTP/1.1 client for its workers: persistent connections per worker and
 * plain blocking I/O on the caller's thread (a virtual thread per request), so nothing
 * stands between a request and its socket.
 * <p>
 * The JDK's {@code HttpClient} hands every exchange to its selector thread and back,
 * which cost a quarter of the gateway's CPU per request. A worker is a known peer that
 * speaks plain HTTP/1.1 with {@code Content-Length} or chunked bodies, so this client
 * does only that: no redirects, no cookies, no HTTP/2. A body that is not read to its end
 * closes its connection; one read to its end returns it to the pool.
 * <p>
 * A pooled connection the worker has closed meanwhile is found out when it answers
 * nothing at all; such a request is sent again once on a new connection. Nothing can have
 * been processed: a worker that read a request answers it.
 */
final class WorkerHttp implements AutoCloseable {

	/** Longest status line or header line accepted from a worker. */
	private static final int MAX_LINE = 8192;

	/** Most header lines accepted in one response. */
	private static final int MAX_HEADERS = 100;

	/**
	 * How long an idle connection is kept; below the keep-alive timeouts of Tomcat (60 s)
	 * and uvicorn (5 s, vLLM's server).
	 */
	private static final long IDLE_NANOS = Duration.ofSeconds(4).toNanos();

	private static final int MAX_IDLE_PER_WORKER = 512;

	private final int connectTimeoutMillis;

	private final ConcurrentHashMap<String, ConcurrentLinkedDeque<Connection>> idle = new ConcurrentHashMap<>();

	private volatile boolean closed;

	WorkerHttp(Duration connectTimeout) {
		this.connectTimeoutMillis = (int) Math.clamp(connectTimeout.toMillis(), 1, Integer.MAX_VALUE);
	}

	/**
	 * Sends a request and reads the status line and headers of its answer.
	 * @param uri the absolute {@code http} or {@code https} URI
	 * @param method {@code GET}, {@code POST} or {@code PUT}
	 * @param headers request headers (names and values without CR or LF)
	 * @param body the request body, or {@code null}
	 * @param headerTimeout how long the worker may take to start answering
	 * @param bodyTimeout the longest silence allowed while the body is read
	 * @return the answer; close it (or read its body to the end)
	 * @throws ConnectFailedException if no connection could be made
	 * @throws SocketTimeoutException if the answer did not start in time
	 * @throws IOException if the exchange failed otherwise
	 */
	Response send(URI uri, String method, Map<String, String> headers, byte[] body, Duration headerTimeout,
			Duration bodyTimeout) throws IOException {
		byte[] head = head(uri, method, headers, (body != null) ? body.length : -1);
		String key = key(uri);
		while (true) {
			Connection pooled = pooled(key);
			Connection connection = (pooled != null) ? pooled : connect(uri, key);
			try {
				connection.write(head, body);
				return connection.readResponse(method, headerTimeout, bodyTimeout);
			}
			catch (StaleConnectionException ex) {
				connection.close();
				if (pooled == null) {
					throw new IOException("the worker closed the connection without answering", ex);
				}
				// A reused connection the worker had closed meanwhile: try a new one.
			}
			catch (IOException | RuntimeException ex) {
				connection.close();
				throw ex;
			}
		}
	}

	/**
	 * Sends a request and reads its whole answer.
	 * @param uri the absolute URI
	 * @param method the method
	 * @param headers request headers
	 * @param body the request body, or {@code null}
	 * @param timeout how long the whole answer may take to start and between reads
	 * @param maxBytes the largest body accepted
	 * @return status and body
	 * @throws IOException if the exchange failed or the body is larger than allowed
	 */
	WholeResponse exchange(URI uri, String method, Map<String, String> headers, byte[] body, Duration timeout,
			int maxBytes) throws IOException {
		try (Response response = send(uri, method, headers, body, timeout, timeout)) {
			byte[] bytes = response.body().readNBytes(maxBytes + 1);
			if (bytes.length > maxBytes) {
				throw new IOException("the worker's answer exceeds " + maxBytes + " bytes");
			}
			return new WholeResponse(response.status(), bytes);
		}
	}

	/**
	 * @return connections idle in the pool now, for every worker together
	 */
	int idleConnections() {
		return this.idle.values().stream().mapToInt(ConcurrentLinkedDeque::size).sum();
	}

	@Override
	public void close() {
		this.closed = true;
		this.idle.values().forEach((connections) -> {
			Connection connection;
			while ((connection = connections.pollFirst()) != null) {
				connection.close();
			}
		});
	}

	private Connection pooled(String key) {
		ConcurrentLinkedDeque<Connection> connections = this.idle.get(key);
		if (connections == null) {
			return null;
		}
		long now = System.nanoTime();
		Connection connection;
		// Most recently used first: it is the least likely to have been closed.
		while ((connection = connections.pollLast()) != null) {
			if (now - connection.idleSince < IDLE_NANOS && !connection.socket.isClosed()) {
				return connection;
			}
			connection.close();
		}
		return null;
	}

	private void release(Connection connection) {
		if (this.closed) {
			connection.close();
			return;
		}
		connection.idleSince = System.nanoTime();
		ConcurrentLinkedDeque<Connection> connections = this.idle.computeIfAbsent(connection.key,
				(key) -> new ConcurrentLinkedDeque<>());
		if (connections.size() >= MAX_IDLE_PER_WORKER) {
			connection.close();
			return;
		}
		connections.addLast(connection);
		// Old connections sit at the head: close those past their time.
		Connection oldest = connections.peekFirst();
		if (oldest != null && System.nanoTime() - oldest.idleSince >= IDLE_NANOS && connections.remove(oldest)) {
			oldest.close();
		}
	}

	private Connection connect(URI uri, String key) throws IOException {
		boolean tls = "https".equalsIgnoreCase(uri.getScheme());
		int port = (uri.getPort() > 0) ? uri.getPort() : (tls ? 443 : 80);
		Socket socket = new Socket();
		try {
			socket.setTcpNoDelay(true);
			socket.connect(new InetSocketAddress(uri.getHost(), port), this.connectTimeoutMillis);
			if (tls) {
				SSLSocket secure = (SSLSocket) SSLContext.getDefault()
					.getSocketFactory()
					.createSocket(socket, uri.getHost(), port, true);
				SSLParameters parameters = secure.getSSLParameters();
				parameters.setEndpointIdentificationAlgorithm("HTTPS");
				secure.setSSLParameters(parameters);
				secure.setSoTimeout(this.connectTimeoutMillis);
				secure.startHandshake();
				socket = secure;
			}
		}
		catch (IOException ex) {
			closeQuietly(socket);
			throw new ConnectFailedException(uri, ex);
		}
		catch (NoSuchAlgorithmException ex) {
			closeQuietly(socket);
			throw new IllegalStateException(ex);
		}
		return new Connection(this, key, socket);
	}

	private static byte[] head(URI uri, String method, Map<String, String> headers, int contentLength) {
		StringBuilder head = new StringBuilder(256);
		String path = uri.getRawPath();
		head.append(method).append(' ').append((path == null || path.isEmpty()) ? "/" : path);
		if (uri.getRawQuery() != null) {
			head.append('?').append(uri.getRawQuery());
		}
		head.append(" HTTP/1.1\r\nHost: ").append(uri.getRawAuthority()).append("\r\n");
		headers.forEach((name, value) -> {
			if (value != null) {
				head.append(checked(name)).append(": ").append(checked(value)).append("\r\n");
			}
		});
		if (contentLength >= 0) {
			head.append("Content-Length: ").append(contentLength).append("\r\n");
		}
		head.append("\r\n");
		return head.toString().getBytes(StandardCharsets.UTF_8);
	}

	/** Refuses what would let a header value start a header or a request of its own. */
	private static String checked(String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '\r' || c == '\n' || c == 0) {
				throw new IllegalArgumentException("a header name or value holds a line break");
			}
		}
		return text;
	}

	private static String key(URI uri) {
		return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getRawAuthority();
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// Nothing more to free.
		}
	}

	/** No connection to the worker could be made: it is down, or not there. */
	static final class ConnectFailedException extends IOException {

		ConnectFailedException(URI uri, IOException cause) {
			super("could not connect to " + uri.getRawAuthority() + ": " + cause.getMessage(), cause);
		}

	}

	/** A reused connection that answered nothing: the worker had closed it. */
	private static final class StaleConnectionException extends IOException {

		StaleConnectionException(Throwable cause) {
			super("stale connection", cause);
		}

	}

	/**
	 * A whole answer.
	 *
	 * @param status the status code
	 * @param body the body
	 */
	record WholeResponse(int status, byte[] body) {

		String text() {
			return new String(this.body, StandardCharsets.UTF_8);
		}

	}

	/** An answer whose body is read as it arrives. */
	static final class Response implements AutoCloseable {

		private final int status;

		private final Map<String, String> headers;

		private final Body body;

		private final long contentLength;

		private Response(int status, Map<String, String> headers, Body body, long contentLength) {
			this.status = status;
			this.headers = headers;
			this.body = body;
			this.contentLength = contentLength;
		}

		int status() {
			return this.status;
		}

		/**
		 * @return the body's length in bytes when the worker declared it
		 * ({@code Content-Length}), else -1
		 */
		long contentLength() {
			return this.contentLength;
		}

		/**
		 * @param name a header name, in lower case
		 * @return its first value, or {@code null}
		 */
		String header(String name) {
			return this.headers.get(name);
		}

		/**
		 * @return the body, decoded from its transfer coding; closing it before its end
		 * closes the connection
		 */
		InputStream body() {
			return this.body;
		}

		@Override
		public void close() {
			this.body.close();
		}

	}

	/** One socket to one worker, with its read buffer. */
	private static final class Connection {

		private final WorkerHttp client;

		private final String key;

		private final Socket socket;

		private final InputStream in;

		private final OutputStream out;

		private final byte[] buffer = new byte[16 * 1024];

		private int position;

		private int limit;

		private long idleSince;

		private final AtomicBoolean closed = new AtomicBoolean();

		Connection(WorkerHttp client, String key, Socket socket) throws IOException {
			this.client = client;
			this.key = key;
			this.socket = socket;
			this.in = socket.getInputStream();
			this.out = socket.getOutputStream();
		}

		void write(byte[] head, byte[] body) throws IOException {
			try {
				if (body != null && head.length + body.length <= this.buffer.length) {
					// One segment for small requests: the buffer is free until the
					// answer.
					System.arraycopy(head, 0, this.buffer, 0, head.length);
					System.arraycopy(body, 0, this.buffer, head.length, body.length);
					this.out.write(this.buffer, 0, head.length + body.length);
				}
				else {
					this.out.write(head);
					if (body != null) {
						this.out.write(body);
					}
				}
				this.out.flush();
			}
			catch (IOException ex) {
				throw new StaleConnectionException(ex);
			}
		}

		Response readResponse(String method, Duration headerTimeout, Duration bodyTimeout) throws IOException {
			this.socket.setSoTimeout((int) Math.clamp(headerTimeout.toMillis(), 1, Integer.MAX_VALUE));
			this.position = 0;
			this.limit = 0;
			try {
				if (!fill()) {
					throw new StaleConnectionException(new EOFException());
				}
			}
			catch (SocketTimeoutException ex) {
				throw ex;
			}
			catch (IOException ex) {
				throw (ex instanceof StaleConnectionException) ? ex : new StaleConnectionException(ex);
			}
			String statusLine = line();
			if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' ') {
				throw new IOException("the worker's answer is not HTTP/1.x");
			}
			int status = parseStatus(statusLine);
			Map<String, String> headers = new HashMap<>();
			for (int count = 0;; count++) {
				String line = line();
				if (line.isEmpty()) {
					break;
				}
				if (count >= MAX_HEADERS) {
					throw new IOException("the worker's answer has too many headers");
				}
				int colon = line.indexOf(':');
				if (colon <= 0) {
					throw new IOException("the worker's answer has a malformed header");
				}
				headers.putIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
						line.substring(colon + 1).trim());
			}
			this.socket.setSoTimeout((int) Math.clamp(bodyTimeout.toMillis(), 1, Integer.MAX_VALUE));
			boolean keepAlive = !"close".equalsIgnoreCase(headers.get("connection"))
					&& !statusLine.startsWith("HTTP/1.0");
			Body body;
			long declared = -1;
			String transferEncoding = headers.get("transfer-encoding");
			if ("HEAD".equals(method) || status == 204 || status == 304 || (status >= 100 && status < 200)) {
				body = new Body(this, 0, false, keepAlive);
				declared = 0;
			}
			else if (transferEncoding != null) {
				if (!"chunked".equalsIgnoreCase(transferEncoding)) {
					throw new IOException("the worker's answer has an unsupported transfer coding");
				}
				body = new Body(this, -1, true, keepAlive);
			}
			else if (headers.containsKey("content-length")) {
				long length;
				try {
					length = Long.parseLong(headers.get("content-length"));
				}
				catch (NumberFormatException ex) {
					length = -1;
				}
				if (length < 0) {
					throw new IOException("the worker's answer has a malformed Content-Length");
				}
				body = new Body(this, length, false, keepAlive);
				declared = length;
			}
			else {
				// Delimited by the end of the connection.
				body = new Body(this, -1, false, false);
			}
			return new Response(status, headers, body, declared);
		}

		private static int parseStatus(String statusLine) throws IOException {
			int status = 0;
			for (int i = 9; i < 12; i++) {
				char c = statusLine.charAt(i);
				if (c < '0' || c > '9') {
					throw new IOException("the worker's answer has a malformed status line");
				}
				status = status * 10 + (c - '0');
			}
			return status;
		}

		/**
		 * @return whether bytes were read; {@code false} at the end of the stream
		 */
		boolean fill() throws IOException {
			if (this.position < this.limit) {
				return true;
			}
			int read = this.in.read(this.buffer, 0, this.buffer.length);
			if (read < 0) {
				return false;
			}
			this.position = 0;
			this.limit = read;
			return true;
		}

		/**
		 * Reads one CRLF-terminated line (header section and chunk sizes), ISO-8859-1.
		 */
		String line() throws IOException {
			StringBuilder line = null;
			while (true) {
				if (!fill()) {
					throw new EOFException("the worker's answer ended within a line");
				}
				int start = this.position;
				int end = start;
				while (end < this.limit && this.buffer[end] != '\n') {
					end++;
				}
				if (end < this.limit) {
					int length = end - start;
					this.position = end + 1;
					if (line == null) {
						if (length > 0 && this.buffer[end - 1] == '\r') {
							length--;
						}
						return new String(this.buffer, start, length, StandardCharsets.ISO_8859_1);
					}
					line.append(new String(this.buffer, start, length, StandardCharsets.ISO_8859_1));
					if (!line.isEmpty() && line.charAt(line.length() - 1) == '\r') {
						line.setLength(line.length() - 1);
					}
					return line.toString();
				}
				if (line == null) {
					line = new StringBuilder();
				}
				line.append(new String(this.buffer, start, end - start, StandardCharsets.ISO_8859_1));
				this.position = end;
				if (line.length() > MAX_LINE) {
					throw new IOException("the worker's answer has an overlong line");
				}
			}
		}

		void release() {
			if (!this.closed.get()) {
				this.client.release(this);
			}
		}

		void close() {
			if (this.closed.compareAndSet(false, true)) {
				closeQuietly(this.socket);
			}
		}

	}

	/**
	 * A response body: {@code Content-Length}, chunked, or up to the end of the
	 * connection. A read returns what one chunk and one socket read give, never waiting
	 * to fill the caller's buffer: stream chunks pass through as they come.
	 */
	private static final class Body extends InputStream {

		private final Connection connection;

		private final boolean chunked;

		private final boolean keepAlive;

		/** Bytes left in the body ({@code Content-Length}) or in the current chunk. */
		private long remaining;

		/** Whether a chunk's data was read, so a CRLF comes before the next size. */
		private boolean sizeRead;

		private boolean eof;

		private final AtomicBoolean done = new AtomicBoolean();

		Body(Connection connection, long length, boolean chunked, boolean keepAlive) {
			this.connection = connection;
			this.chunked = chunked;
			this.keepAlive = keepAlive;
			this.remaining = chunked ? 0 : length;
			if (!chunked && length == 0) {
				finish();
			}
		}

		@Override
		public int read() throws IOException {
			byte[] one = new byte[1];
			int read = read(one, 0, 1);
			return (read < 0) ? -1 : one[0] & 0xff;
		}

		@Override
		public int read(byte[] target, int offset, int length) throws IOException {
			if (length == 0) {
				return 0;
			}
			if (this.eof) {
				return -1;
			}
			if (this.done.get()) {
				throw new IOException("the worker's answer was closed");
			}
			if (this.chunked && this.remaining == 0) {
				if (!nextChunk()) {
					return -1;
				}
			}
			Connection c = this.connection;
			if (!c.fill()) {
				if (this.remaining < 0) {
					// Delimited by the end of the connection: this is its end.
					this.eof = true;
					close();
					return -1;
				}
				throw new EOFException("the worker's answer ended early");
			}
			int available = c.limit - c.position;
			int n = Math.min(length, available);
			if (this.remaining >= 0) {
				n = (int) Math.min(n, this.remaining);
			}
			System.arraycopy(c.buffer, c.position, target, offset, n);
			c.position += n;
			if (this.remaining > 0) {
				this.remaining -= n;
				if (this.remaining == 0 && !this.chunked) {
					finish();
				}
			}
			return n;
		}

		/**
		 * @return whether a chunk with data follows; {@code false} after the last one
		 */
		private boolean nextChunk() throws IOException {
			Connection c = this.connection;
			if (this.remaining == 0 && this.sizeRead) {
				// The CRLF after the previous chunk's data.
				String empty = c.line();
				if (!empty.isEmpty()) {
					throw new IOException("the worker's answer has a malformed chunk");
				}
			}
			String line = c.line();
			int semicolon = line.indexOf(';');
			String hex = ((semicolon >= 0) ? line.substring(0, semicolon) : line).trim();
			long size;
			try {
				size = Long.parseLong(hex, 16);
			}
			catch (NumberFormatException ex) {
				throw new IOException("the worker's answer has a malformed chunk size");
			}
			if (size < 0) {
				throw new IOException("the worker's answer has a malformed chunk size");
			}
			this.sizeRead = true;
			if (size == 0) {
				// Trailers, up to the empty line.
				for (int count = 0; !c.line().isEmpty(); count++) {
					if (count >= MAX_HEADERS) {
						throw new IOException("the worker's answer has too many trailers");
					}
				}
				finish();
				return false;
			}
			this.remaining = size;
			return true;
		}

		/** The body was read to its end: the connection can serve another request. */
		private void finish() {
			this.eof = true;
			if (this.done.compareAndSet(false, true)) {
				if (this.keepAlive && this.connection.position == this.connection.limit) {
					this.connection.release();
				}
				else {
					this.connection.close();
				}
			}
		}

		@Override
		public void close() {
			if (this.done.compareAndSet(false, true)) {
				// Not read to its end (or delimited by the connection): it cannot be
				// reused.
				this.connection.close();
			}
		}

	}

}
