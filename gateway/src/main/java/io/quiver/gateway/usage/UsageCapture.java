package io.quiver.gateway.usage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

/**
 * Wraps the client's response to read the worker's {@code usage} as it passes: from the
 * JSON body of a plain answer, or from the usage chunk of a stream. A stream's usage
 * chunk is removed when the client did not ask for it ({@code stream_options}), since the
 * gateway asked the worker for it only to meter. Server-Sent Events are passed on whole
 * events at a time, as soon as each is complete.
 */
public final class UsageCapture extends HttpServletResponseWrapper {

	/** A plain answer larger than this is relayed but not metered. */
	private static final int MAX_JSON_BYTES = 16 * 1024 * 1024;

	private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);

	private final boolean stripUsageChunk;

	private final CapturingStream stream;

	private int status = 200;

	private long promptTokens;

	private long completionTokens;

	private boolean counted;

	/**
	 * @param response the client's response
	 * @param stripUsageChunk whether to remove a stream's usage chunk
	 * @throws IOException if the response cannot be written
	 */
	public UsageCapture(HttpServletResponse response, boolean stripUsageChunk) throws IOException {
		super(response);
		this.stripUsageChunk = stripUsageChunk;
		this.stream = new CapturingStream(response.getOutputStream());
	}

	@Override
	public ServletOutputStream getOutputStream() {
		return this.stream;
	}

	@Override
	public void setStatus(int sc) {
		this.status = sc;
		super.setStatus(sc);
	}

	@Override
	public void sendError(int sc) throws IOException {
		this.status = sc;
		super.sendError(sc);
	}

	@Override
	public void sendError(int sc, String msg) throws IOException {
		this.status = sc;
		super.sendError(sc, msg);
	}

	@Override
	public void flushBuffer() throws IOException {
		this.stream.flush();
		super.flushBuffer();
	}

	@Override
	public void resetBuffer() {
		this.stream.reset();
		super.resetBuffer();
	}

	/**
	 * Passes on what is still held and reads a plain answer's usage. Call once the
	 * worker's answer has been relayed.
	 * @throws IOException if the client went away
	 */
	public void finish() throws IOException {
		this.stream.finish();
	}

	public int status() {
		return this.status;
	}

	public long promptTokens() {
		return this.promptTokens;
	}

	public long completionTokens() {
		return this.completionTokens;
	}

	/**
	 * @return whether the worker reported usage
	 */
	public boolean counted() {
		return this.counted;
	}

	/**
	 * @return whether the bytes held a usage-only chunk (usage, no choices)
	 */
	private boolean readUsage(byte[] bytes, int from, int to) {
		int usage = UsageScanner.usageObject(bytes, from, to);
		if (usage < 0) {
			return false;
		}
		this.promptTokens = Math.max(0, UsageScanner.promptTokens(bytes, usage, to));
		this.completionTokens = Math.max(0, UsageScanner.completionTokens(bytes, usage, to));
		this.counted = true;
		return UsageScanner.noChoices(bytes, from, usage);
	}

	private final class CapturingStream extends ServletOutputStream {

		private final ServletOutputStream out;

		/** Plain answer: a copy; stream: the incomplete event held back. */
		private final ByteArrayOutputStream held = new ByteArrayOutputStream();

		private Boolean events;

		private boolean tooLarge;

		CapturingStream(ServletOutputStream out) {
			this.out = out;
		}

		@Override
		public void write(int b) throws IOException {
			write(new byte[] { (byte) b }, 0, 1);
		}

		@Override
		public void write(byte[] bytes, int offset, int length) throws IOException {
			if (this.events == null) {
				String contentType = getContentType();
				this.events = contentType != null && contentType.startsWith("text/event-stream");
			}
			if (!this.events) {
				this.out.write(bytes, offset, length);
				if (!this.tooLarge && this.held.size() + length <= MAX_JSON_BYTES) {
					this.held.write(bytes, offset, length);
				}
				else {
					this.tooLarge = true;
				}
				return;
			}
			this.held.write(bytes, offset, length);
			passCompleteEvents();
		}

		/** Passes on every complete event ({@code ...\n\n}) held, keeping the rest. */
		private void passCompleteEvents() throws IOException {
			byte[] buffer = this.held.toByteArray();
			int start = 0;
			for (int i = 0; i + 1 < buffer.length; i++) {
				if (buffer[i] == '\n' && buffer[i + 1] == '\n') {
					event(buffer, start, i + 2);
					start = i + 2;
					i++;
				}
			}
			if (start > 0) {
				this.held.reset();
				this.held.write(buffer, start, buffer.length - start);
			}
		}

		private void event(byte[] buffer, int from, int to) throws IOException {
			int data = UsageScanner.indexOf(buffer, from, to, DATA);
			// The usage chunk carries no choices; drop it only if it is nothing else.
			if (data >= 0 && readUsage(buffer, data + DATA.length, to) && UsageCapture.this.stripUsageChunk) {
				return;
			}
			this.out.write(buffer, from, to - from);
		}

		void reset() {
			this.held.reset();
			this.events = null;
			this.tooLarge = false;
		}

		void finish() throws IOException {
			if (Boolean.TRUE.equals(this.events)) {
				if (this.held.size() > 0) {
					this.out.write(this.held.toByteArray());
					this.held.reset();
				}
			}
			else if (!this.tooLarge && this.held.size() > 0) {
				byte[] body = this.held.toByteArray();
				readUsage(body, 0, body.length);
			}
			this.out.flush();
		}

		@Override
		public void flush() throws IOException {
			this.out.flush();
		}

		@Override
		public boolean isReady() {
			return this.out.isReady();
		}

		@Override
		public void setWriteListener(WriteListener listener) {
			this.out.setWriteListener(listener);
		}

	}

}
