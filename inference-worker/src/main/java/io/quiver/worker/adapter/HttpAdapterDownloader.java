package io.quiver.worker.adapter;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import javax.net.ssl.HttpsURLConnection;

/**
 * Downloads {@code https://} (and, where allowed, {@code http://}) sources: the adapter's
 * files are {@code {uri}/adapter_config.json} and
 * {@code {uri}/adapter_model.safetensors}, the source's query (a SAS token, say) kept on
 * each. Redirects are followed by hand, at most five, never from https to http, and a
 * bearer token goes only to the origin it was meant for (the Hugging Face hub redirects
 * large files to a CDN that must not see it). No hop may lead into the worker's own
 * network (see {@link NetworkGuard}).
 */
class HttpAdapterDownloader implements AdapterDownloader {

	private static final int MAX_REDIRECTS = 5;

	private final AdapterDownloadConfig config;

	private final NetworkGuard guard;

	HttpAdapterDownloader(AdapterDownloadConfig config) {
		this.config = config;
		List<URI> trusted = new ArrayList<>(List.of(config.hubEndpoint(), config.gcsEndpoint()));
		if (config.azure().origin() != null) {
			trusted.add(config.azure().origin());
		}
		this.guard = new NetworkGuard(config.allowPrivateAddresses(), trusted);
	}

	@Override
	public String download(URI source, String file, Path target) {
		return get(fileUri(source, file), null, target,
				"it needs credentials this worker lacks (a presigned or SAS query on the source URI is kept)");
	}

	static URI fileUri(URI directory, String file) {
		String path = (directory.getRawPath() == null) ? "" : directory.getRawPath();
		if (!path.endsWith("/")) {
			path = path + "/";
		}
		String query = (directory.getRawQuery() != null) ? "?" + directory.getRawQuery() : "";
		return URI.create(directory.getScheme() + "://" + directory.getRawAuthority() + path + file + query);
	}

	/**
	 * GETs a URL into a file.
	 * @param url the URL
	 * @param bearerToken a token for the URL's origin, or null
	 * @param target the file to write
	 * @param unauthorized what a 401 or 403 means, for the message
	 * @return the lowercase hex SHA-256 of the file
	 */
	String get(URI url, String bearerToken, Path target, String unauthorized) {
		return get(url, bearerToken, Map.of(), target, unauthorized);
	}

	/**
	 * GETs a URL into a file.
	 * @param url the URL
	 * @param bearerToken a token for the URL's origin, or null
	 * @param originHeaders more headers for the URL's origin (never sent where it
	 * redirects elsewhere)
	 * @param target the file to write
	 * @param unauthorized what a 401 or 403 means, for the message
	 * @return the lowercase hex SHA-256 of the file
	 */
	String get(URI url, String bearerToken, Map<String, String> originHeaders, Path target, String unauthorized) {
		String what = AdapterSource.redact(url);
		URI current = url;
		for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
			checkScheme(current, what);
			this.guard.check(current, what);
			HttpURLConnection connection = open(current, what);
			try {
				if (connection instanceof HttpsURLConnection https) {
					https.setSSLSocketFactory(this.guard.socketFactory(current, what));
				}
				connection.setConnectTimeout(millis(this.config.connectTimeout()));
				connection.setReadTimeout(millis(this.config.readTimeout()));
				connection.setInstanceFollowRedirects(false);
				connection.setRequestProperty("User-Agent", "quiver-worker");
				if (sameOrigin(current, url)) {
					if (bearerToken != null) {
						connection.setRequestProperty("Authorization", "Bearer " + bearerToken);
					}
					originHeaders.forEach(connection::setRequestProperty);
				}
				int status = connection.getResponseCode();
				if (status >= 300 && status < 400 && status != 304) {
					String location = connection.getHeaderField("Location");
					if (location == null) {
						throw new AdapterException(what + " answered " + status + " without a Location");
					}
					current = current.resolve(location);
					continue;
				}
				if (status == 401 || status == 403) {
					throw new AdapterException(what + " answered " + status + ": " + unauthorized);
				}
				if (status == 404) {
					throw new AdapterException(what + " does not exist (404)");
				}
				if (status != 200) {
					throw new AdapterException(what + " answered " + status);
				}
				long length = connection.getContentLengthLong();
				if (length > this.config.maxBytes()) {
					throw AdapterDownloader.tooLarge(what, this.config.maxBytes());
				}
				try (InputStream in = connection.getInputStream()) {
					return AdapterDownloader.copy(in, target, this.config.maxBytes(), what);
				}
			}
			catch (SocketTimeoutException ex) {
				throw new AdapterException(what + " timed out (" + ex.getMessage() + "; connect timeout "
						+ this.config.connectTimeout().toMillis() + " ms, read timeout "
						+ this.config.readTimeout().toMillis() + " ms)", ex);
			}
			catch (ConnectException ex) {
				throw new AdapterException(what + " is unreachable: " + ex.getMessage(), ex);
			}
			catch (UnknownHostException ex) {
				throw new AdapterException(what + " is unreachable: unknown host " + current.getHost(), ex);
			}
			catch (IOException ex) {
				throw new AdapterException(what + " could not be downloaded: " + ex.getClass().getSimpleName(), ex);
			}
			finally {
				connection.disconnect();
			}
		}
		throw new AdapterException(what + " redirected more than " + MAX_REDIRECTS + " times");
	}

	private void checkScheme(URI uri, String what) {
		String scheme = uri.getScheme();
		if ("https".equals(scheme) || ("http".equals(scheme) && this.config.allowHttp())) {
			return;
		}
		if ("http".equals(scheme)) {
			throw new AdapterException(what + " leads to plain http://" + uri.getHost()
					+ ", which this worker does not allow (quiver.worker.sources.allow-http)");
		}
		throw new AdapterException(what + " leads to an unsupported scheme " + scheme);
	}

	private static HttpURLConnection open(URI uri, String what) {
		try {
			return (HttpURLConnection) uri.toURL().openConnection();
		}
		catch (IOException | IllegalArgumentException ex) {
			throw new AdapterException(what + " is not a valid URL", ex);
		}
	}

	private static boolean sameOrigin(URI a, URI b) {
		return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
				&& NetworkGuard.port(a) == NetworkGuard.port(b);
	}

	private static int millis(java.time.Duration duration) {
		return (int) Math.min(Integer.MAX_VALUE, Math.max(1, duration.toMillis()));
	}

}
