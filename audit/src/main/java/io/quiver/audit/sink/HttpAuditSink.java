package io.quiver.audit.sink;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.quiver.audit.AuditRecord;
import io.quiver.audit.chain.CanonicalJson;
import io.quiver.audit.chain.EventDocuments;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams committed records to a SIEM's HTTP collector as JSON Lines (one POST per
 * batch), on a thread of its own so that a slow collector never slows the trail. Failed
 * posts are retried with exponential backoff; a batch that still fails is counted and
 * logged (the database remains the record; the SIEM can catch up from the export
 * endpoint).
 */
public final class HttpAuditSink implements AuditSink, AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(HttpAuditSink.class);

	private final HttpClient client;

	private final URI url;

	private final Map<String, String> headers;

	private final int maxAttempts;

	private final Duration initialBackoff;

	private final ExecutorService sender;

	private final AtomicLong delivered = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	/**
	 * @param url the collector's URL
	 * @param headers extra request headers (e.g. an authorization token; never logged)
	 * @param maxAttempts attempts per batch, at least 1
	 * @param initialBackoff wait before the first retry, doubled after each
	 * @param queueCapacity batches waiting to be sent before new ones are dropped
	 */
	public HttpAuditSink(URI url, Map<String, String> headers, int maxAttempts, Duration initialBackoff,
			int queueCapacity) {
		this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
		this.url = url;
		this.headers = Map.copyOf(headers);
		this.maxAttempts = Math.max(1, maxAttempts);
		this.initialBackoff = initialBackoff;
		this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(queueCapacity),
				Thread.ofPlatform().name("audit-siem").daemon(true).factory(), (task, executor) -> {
					this.failed.incrementAndGet();
					log.error("Audit SIEM sink queue is full; a batch was not forwarded to {}", this.url.getHost());
				});
	}

	@Override
	public void publish(List<AuditRecord> records) {
		String body = lines(records);
		int count = records.size();
		this.sender.execute(() -> send(body, count));
	}

	/**
	 * @return records the collector accepted
	 */
	public long delivered() {
		return this.delivered.get();
	}

	/**
	 * @return batches given up on
	 */
	public long failed() {
		return this.failed.get();
	}

	@Override
	public void close() {
		this.sender.shutdown();
		try {
			this.sender.awaitTermination(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private void send(String body, int count) {
		Duration backoff = this.initialBackoff;
		for (int attempt = 1; attempt <= this.maxAttempts; attempt++) {
			try {
				HttpRequest.Builder request = HttpRequest.newBuilder(this.url)
					.timeout(Duration.ofSeconds(10))
					.header("Content-Type", "application/jsonl")
					.POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
				this.headers.forEach(request::header);
				int status = this.client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
				if (status >= 200 && status < 300) {
					this.delivered.addAndGet(count);
					return;
				}
				log.warn("Audit SIEM collector answered {} (attempt {} of {})", status, attempt, this.maxAttempts);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
			catch (java.io.IOException ex) {
				log.warn("Audit SIEM collector unreachable: {} (attempt {} of {})", ex.getClass().getSimpleName(),
						attempt, this.maxAttempts);
			}
			if (attempt < this.maxAttempts) {
				try {
					Thread.sleep(backoff);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					break;
				}
				backoff = backoff.multipliedBy(2);
			}
		}
		this.failed.incrementAndGet();
		log.error("Gave up forwarding {} audit records to the SIEM collector", count);
	}

	private static String lines(List<AuditRecord> records) {
		StringBuilder out = new StringBuilder(records.size() * 600);
		for (AuditRecord record : records) {
			Map<String, Object> doc = EventDocuments.chained(record.event(), record.sequence(), record.recordedAt());
			doc.put("prevHash", record.prevHash());
			doc.put("hash", record.hash());
			CanonicalJson.write(doc, out);
			out.append('\n');
		}
		return out.toString();
	}

}
